// SARIF 2.1.0 for code-review tools: one result per violated property (and per missed
// expectation, bad input and warning), located at the property, with the trace as a codeFlow of
// one threadFlow per CPU whose locations are the scenario lines of each step in execution order.
// Paths are relative to the checked repository (uriBaseId SRCROOT: the nearest directory above the
// working directory with a .git, else the working directory), as GitHub code scanning wants; the
// bundled models and libraries have their own base (DIRTYRACE_MODELS) unless they are committed in
// that repository, so no link points at a file the repository does not have. URIs are
// percent-encoded (RFC 3986), so any file name gives a valid uri-reference.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLED_MODELS } from '../check/load.js';
import type { FileReport } from './file-report.js';
import type { Location } from './coverage.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const RULES = [
  { id: 'violated-property', text: 'A property of the scenario is violated: a counterexample trace exists.' },
  { id: 'missed-expectation', text: 'The scenario expects a violation that no reachable state shows.' },
  { id: 'unreached-cover', text: 'A cover goal (`reachable NAME: e;`) holds in no reachable state.' },
  { id: 'unreached-access', text: 'In a proof, a user access never runs or never completes: the claim may be vacuous.' },
  { id: 'no-completed-write', text: 'In a proof, the expectation holds but no write ever completes: the claim may be vacuous.' },
  { id: 'no-final-state', text: 'No run reaches a state where every CPU has finished: final properties hold vacuously.' },
  { id: 'state-count-changed', text: 'The state count changed while the model text did not.' },
  { id: 'bad-input', text: 'The scenario or a model file it uses has an error.' },
  { id: 'internal-error', text: 'dirtyrace failed on this scenario.' },
  { id: 'search-failed', text: 'The distributed search lost a partition process (or none answered): no verdict.' },
] as const;
type RuleId = (typeof RULES)[number]['id'];

/** What `expect violated` results become: notes (the default), or nothing. */
export type SarifExpected = 'note' | 'omit';

/** The nearest directory at or above `dir` holding .git, else `dir`. */
export function repositoryRoot(dir: string): string {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return resolve(dir);
  }
}

/** `rel` (inside its base) as a relative URI: each segment percent-encoded. */
function relativeUri(rel: string): string {
  return rel.split(sep).map((seg) => encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

function inside(base: string, abs: string): string | undefined {
  const rel = relative(base, abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : undefined;
}

interface Bases { readonly root: string; readonly models: string }

function artifact(path: string, b: Bases) {
  const abs = resolve(path);
  const model = inside(b.models, abs);
  const src = inside(b.root, abs);
  if (src !== undefined && !(model !== undefined && src.split(sep).includes('node_modules'))) return { uri: relativeUri(src), uriBaseId: 'SRCROOT' };
  if (model !== undefined) return { uri: relativeUri(model), uriBaseId: 'DIRTYRACE_MODELS' };
  return { uri: pathToFileURL(abs).href };
}

function physical(l: Location, root: Bases) {
  const region: Record<string, number> = { startLine: l.line, startColumn: l.col };
  if (l.endLine > l.line || (l.endLine === l.line && l.endCol > l.col)) { region.endLine = l.endLine; region.endColumn = l.endCol; }
  return { physicalLocation: { artifactLocation: artifact(l.file, root), region } };
}

function fileStart(file: string): Location {
  return { file, line: 1, col: 1, endLine: 1, endCol: 1 };
}

function dirUri(dir: string): string {
  return pathToFileURL(dir.endsWith(sep) ? dir : `${dir}${sep}`).href;
}

export function sarifLog(files: readonly FileReport[], opts: { version: string; commandLine: string; exitCode: number; root?: string; expected?: SarifExpected }) {
  const root: Bases = { root: opts.root ?? repositoryRoot(process.cwd()), models: BUNDLED_MODELS };
  const results: unknown[] = [];
  const result = (ruleId: RuleId, level: 'error' | 'warning' | 'note', text: string, where: Location, f: FileReport, extra: Record<string, unknown> = {}) => {
    results.push({
      ruleId, ruleIndex: RULES.findIndex((r) => r.id === ruleId), level, message: { text },
      locations: [physical(where, root)],
      ...extra,
      properties: { arch: f.arch, command: f.provenance.command, modelFiles: f.provenance.modelFiles, modelHash: f.provenance.modelHash, toolVersion: f.provenance.tool.version },
    });
  };
  for (const f of files) {
    if (f.error) {
      result(f.exit === 4 ? 'internal-error' : f.exit === 3 ? 'search-failed' : 'bad-input', 'error', f.error.message, f.error.location ?? fileStart(f.file), f);
      continue;
    }
    for (const p of f.properties) {
      const where = p.location ?? fileStart(f.file);
      if (p.status === 'holds' && p.expectedViolated) {
        result('missed-expectation', 'error', `${f.label}: expected ${p.name} to be violated, but it holds in every reachable state.`, where, f);
      }
      if (p.status === 'unreached') {
        result('unreached-cover', 'error', `${f.label}: cover goal ${p.name} is never reached: no reachable state satisfies it.`, where, f);
      }
      if (p.status !== 'violated' || (p.expectedViolated && opts.expected === 'omit')) continue;
      const t = f.traces.find((x) => x.property === p.name);
      const level = p.expectedViolated ? 'note' : 'error';
      const text = `${f.label}: ${p.name} is violated after ${t?.depth ?? '?'} steps${p.expectedViolated ? ' (as the scenario expects)' : ''}: ${t?.description ?? p.name}`;
      const extra: Record<string, unknown> = {};
      if (t) {
        extra.codeFlows = [{
          message: { text: `shortest counterexample for ${p.name}` },
          threadFlows: t.cpus.map((cpu, c) => ({
            id: cpu,
            message: { text: `CPU ${cpu}` },
            locations: t.steps.filter((s) => s.cpu === c).map((s) => ({
              executionOrder: s.step,
              importance: s.failing || s.staleWrite ? 'essential' : s.hardware ? 'unimportant' : 'important',
              kinds: s.hardware ? ['hardware'] : s.failing ? ['failing'] : s.staleWrite ? ['stale-tlb-write'] : [],
              location: {
                ...(s.location ? physical(s.location, root) : {}),
                message: { text: `step ${s.step} ${s.actor}: ${s.text}${s.changes.length ? `  -> ${s.changes.join('  ')}` : ''}${s.failing ? '  (fails here)' : ''}${s.staleWrite ? '  (write through a stale TLB entry)' : ''}` },
              },
            })),
          })).filter((tf) => tf.locations.length > 0),
        }];
        extra.relatedLocations = t.steps.flatMap((s) => (s.location ? [{ id: s.step, ...physical(s.location, root), message: { text: `step ${s.step}: ${s.actor}: ${s.text}` } }] : []));
      }
      result('violated-property', level, text, where, f, extra);
    }
    for (const w of f.warnings) result(w.kind, f.strict ? 'error' : 'warning', `${f.label}: ${w.message}`, w.location ?? fileStart(f.file), f);
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'dirtyrace', version: opts.version, semanticVersion: opts.version,
          rules: RULES.map((r) => ({ id: r.id, name: r.id, shortDescription: { text: r.text }, defaultConfiguration: { level: r.id.includes('error') || r.id === 'violated-property' || r.id === 'missed-expectation' || r.id === 'bad-input' ? 'error' : 'warning' } })),
        },
      },
      invocations: [{ executionSuccessful: opts.exitCode !== 4, exitCode: opts.exitCode, commandLine: opts.commandLine }],
      originalUriBaseIds: {
        SRCROOT: { uri: dirUri(root.root), description: { text: 'The checked repository.' } },
        DIRTYRACE_MODELS: { uri: dirUri(root.models), description: { text: "dirtyrace's bundled architecture models and kernel libraries." } },
      },
      results,
      columnKind: 'utf16CodeUnits',
    }],
  };
}
