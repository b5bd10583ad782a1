// SARIF 2.1.0 for code-review tools: one result per violated property (and per missed
// expectation, bad input and warning), located at the property, with the trace as a codeFlow of
// one threadFlow per CPU whose locations are the scenario lines of each step in execution order.
// Paths are relative to the working directory (uriBaseId SRCROOT), as GitHub code scanning wants.
import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FileReport } from './file-report.js';
import type { Location } from './coverage.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const RULES = [
  { id: 'violated-property', text: 'A property of the scenario is violated: a counterexample trace exists.' },
  { id: 'missed-expectation', text: 'The scenario expects a violation that no reachable state shows.' },
  { id: 'unreached-access', text: 'In a proof, a user access never runs or never completes: the claim may be vacuous.' },
  { id: 'no-completed-write', text: 'In a proof, the expectation holds but no write ever completes: the claim may be vacuous.' },
  { id: 'state-count-changed', text: 'The state count changed while the model text did not.' },
  { id: 'bad-input', text: 'The scenario or a model file it uses has an error.' },
  { id: 'internal-error', text: 'dirtyrace failed on this scenario.' },
] as const;
type RuleId = (typeof RULES)[number]['id'];

function artifact(path: string, root: string) {
  const abs = resolve(path);
  const rel = relative(root, abs);
  if (!rel.startsWith('..') && !isAbsolute(rel)) return { uri: rel.split('\\').join('/'), uriBaseId: 'SRCROOT' };
  return { uri: pathToFileURL(abs).href };
}

function physical(l: Location, root: string) {
  const region: Record<string, number> = { startLine: l.line, startColumn: l.col };
  if (l.endLine > l.line || (l.endLine === l.line && l.endCol > l.col)) { region.endLine = l.endLine; region.endColumn = l.endCol; }
  return { physicalLocation: { artifactLocation: artifact(l.file, root), region } };
}

function fileStart(file: string): Location {
  return { file, line: 1, col: 1, endLine: 1, endCol: 1 };
}

export function sarifLog(files: readonly FileReport[], opts: { version: string; commandLine: string; exitCode: number; root?: string }) {
  const root = opts.root ?? process.cwd();
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
      result(f.exit === 4 ? 'internal-error' : 'bad-input', 'error', f.error.message, f.error.location ?? fileStart(f.file), f);
      continue;
    }
    for (const p of f.properties) {
      const where = p.location ?? fileStart(f.file);
      if (p.status === 'holds' && p.expectedViolated) {
        result('missed-expectation', 'error', `${f.label}: expected ${p.name} to be violated, but it holds in every reachable state.`, where, f);
      }
      if (p.status !== 'violated') continue;
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
      originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(root.endsWith('/') ? root : `${root}/`).href } },
      results,
      columnKind: 'utf16CodeUnits',
    }],
  };
}
