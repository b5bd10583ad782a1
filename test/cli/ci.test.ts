// The CI gate: JUnit and SARIF reports (validated), vacuity warnings, recorded state counts,
// provenance, and the progress line.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { progressWriter } from '../../src/cli/check.js';
import { formatProgress, progressLine } from '../../src/cli/progress.js';
import { runCli } from '../../src/cli/run.js';
import { junitErrors, sarifErrors } from '../hostile/schemas.js';
import { LINUX_LIBRARY_FILES } from '../fixtures/linux-prelude.js';

async function run(argv: string[], tty = false) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, stderrIsTTY: tty });
  return { code, stdout, stderr };
}

const VACUOUS = 'test/fixtures/ci/proofs/vacuous-writer.race';

/** proofs/ copied to a fresh directory, with the apply_as_clean claim broken. */
function brokenProofs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dirtyrace-ci-'));
  cpSync('proofs', join(dir, 'proofs'), { recursive: true });
  const f = join(dir, 'proofs', 'apply_as_clean-flush-before-harvest.race');
  const text = readFileSync(f, 'utf8');
  const broken = text.replace('final no_lost_dirty: F0.version == saved || pte_dirty(ptep_get(P)) || bitmap[P];', 'final no_lost_dirty: F0.version == saved;');
  expect(broken).not.toBe(text);
  writeFileSync(f, broken);
  return dir;
}

// --- a small XML reader, enough for the JUnit files dirtyrace writes -----------------------
interface XmlNode { name: string; attrs: Record<string, string>; children: XmlNode[]; text: string }
function parseXml(xml: string): XmlNode {
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const root: XmlNode = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const re = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/g;
  let pos = xml.indexOf('?>') + 2;
  re.lastIndex = pos;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    expect(m.index, `XML not well formed at ${m.index}`).toBe(pos);
    pos = re.lastIndex;
    const top = stack[stack.length - 1]!;
    if (m[5] !== undefined) { top.text += unescape(m[5]); continue; }
    if (m[1]) { expect(top.name).toBe(m[2]); stack.pop(); continue; }
    const attrs: Record<string, string> = {};
    for (const a of m[3]!.matchAll(/([\w.-]+)="([^"]*)"/g)) attrs[a[1]!] = unescape(a[2]!);
    const node: XmlNode = { name: m[2]!, attrs, children: [], text: '' };
    top.children.push(node);
    if (!m[4]) stack.push(node);
  }
  expect(pos).toBe(xml.length);
  expect(stack.length).toBe(1);
  expect(root.children.length).toBe(1);
  return root.children[0]!;
}

describe('a CI run over proofs/ with one claim broken', () => {
  it('exits 1 and writes a valid JUnit file and a valid SARIF log carrying the trace', async () => {
    const dir = brokenProofs();
    const junit = join(dir, 'out', 'junit.xml');
    const sarif = join(dir, 'out', 'results.sarif');
    const proofs = join(dir, 'proofs');
    const r = await run(['check', '--junit', junit, '--sarif', sarif, proofs, 'scenarios']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {4}.*apply_as_clean-flush-before-harvest.race {2}violated no_lost_dirty \(expected holds\)/m);
    expect(r.stdout).toMatch(/failed, 0 inconclusive, 0 errors\nrun: dirtyrace check --junit /);

    // JUnit: valid against Jenkins' junit-10.xsd, one test case per property per file.
    expect(junitErrors(junit)).toBe('');
    const doc = parseXml(readFileSync(junit, 'utf8'));
    const suite = doc.children.find((s) => s.attrs.name!.endsWith('apply_as_clean-flush-before-harvest.race'))!;
    const cases = suite.children.filter((c) => c.name === 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual(['no_lost_dirty', 'deadlock', 'unhandled_fault', 'loop_bound', 'lock_misuse', 'overflow', 'no_translation', 'livelock']);
    const failure = cases[0]!.children[0]!;
    expect(failure.name).toBe('failure');
    expect(failure.text).toContain('no_lost_dirty fails: final no_lost_dirty: F0.version == saved;');
    expect(failure.text).toMatch(/step {2}cleaner \(cpu0\) +writer \(cpu1\)/);
    expect(failure.text).toContain(`dirtyrace check ${proofs}/apply_as_clean-flush-before-harvest.race`);
    expect(Number(doc.attrs.failures)).toBe(1);
    const props = Object.fromEntries(suite.children.find((c) => c.name === 'properties')!.children.map((p) => [p.attrs.name, p.attrs.value]));
    expect(props['dirtyrace.modelFiles']).toMatch(/apply_as_clean-flush-before-harvest.race models\/x86_64.arch( models\/linux\/\w+\.lib)+ models\/linux.lib$/);

    // SARIF: valid against the official 2.1.0 schema (test/schemas/); the violated property is an error located at
    // its line, with a thread flow per CPU through the scenario lines.
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    expect(sarifErrors(log)).toEqual([]);
    // The schema has teeth: a misspelt level or member is refused.
    expect(sarifErrors({ ...log, runs: [{ ...log.runs[0], results: [{ ...log.runs[0].results[0], level: 'fatal' }] }] })).not.toEqual([]);
    expect(sarifErrors({ ...log, runs: [{ ...log.runs[0], result: [] }] })).not.toEqual([]);
    const errors = log.runs[0].results.filter((x: { level: string }) => x.level === 'error');
    expect(errors).toHaveLength(1);
    const res = errors[0];
    expect(res.ruleId).toBe('violated-property');
    const propLine = readFileSync(join(proofs, 'apply_as_clean-flush-before-harvest.race'), 'utf8').split('\n').findIndex((l) => l.startsWith('final no_lost_dirty')) + 1;
    expect(res.locations[0].physicalLocation.region.startLine).toBe(propLine);
    const flows = res.codeFlows[0].threadFlows;
    expect(flows.map((f: { id: string }) => f.id)).toEqual(['cleaner', 'writer']);
    const writer = flows[1].locations;
    expect(writer.every((l: { location: { physicalLocation: { artifactLocation: { uri: string } } } }) => l.location.physicalLocation.artifactLocation.uri.endsWith('apply_as_clean-flush-before-harvest.race'))).toBe(true);
    const orders = flows.flatMap((f: { locations: { executionOrder: number }[] }) => f.locations.map((l) => l.executionOrder)).sort((a: number, b: number) => a - b);
    expect(orders).toEqual(Array.from({ length: orders.length }, (_, i) => i + 1));
    expect(log.runs[0].invocations[0].exitCode).toBe(1);
    // Expected violations in scenarios/ are notes, not errors.
    expect(log.runs[0].results.some((x: { level: string; message: { text: string } }) => x.level === 'note' && x.message.text.includes('harvest-before-flush.race'))).toBe(true);
  });
});

describe('vacuity and coverage', () => {
  it('flags a proof whose writer is blocked forever before its write: a warning, an error with --strict', async () => {
    const r = await run(['check', VACUOUS]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('coverage: 3/3 statements reached, 1/2 access outcomes; no write ever completed');
    expect(r.stdout).toMatch(/vacuous-writer.race:16:3 {2}writer: write P; {2}\(never completed\)/);
    expect(r.stdout).toContain("warning: the access 'write P;' of writer never completes in any reachable state");
    expect(r.stdout).toContain('warning: the expectation holds but no write completes in any reachable state');
    const strict = await run(['check', '--strict', VACUOUS, 'proofs']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^FAIL {4}test\/fixtures\/ci\/proofs\/vacuous-writer.race {2}holds/m);
    expect(strict.stdout).toMatch(/^ {8}error: the expectation holds but no write completes/m);
    expect(strict.stdout).toContain('5 checked: 4 passed, 1 failed');
  });

  it('leaves the real proofs and scenarios unflagged, and reports coverage in JSON', async () => {
    const r = await run(['check', '--strict', 'proofs']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/warning|error:/);
    const doc = JSON.parse((await run(['check', '--format', 'json', VACUOUS])).stdout);
    const res = doc.results[0];
    expect(res.coverage.zeroWrites).toBe(true);
    expect(res.coverage.unreached).toEqual([expect.objectContaining({ cpu: 'writer', what: 'done', access: true, text: 'write P;' })]);
    // The fixture's writer is killed (sigsegv), which ends it: its final property is judged there.
    expect(res.warnings.map((w: { kind: string }) => w.kind)).toEqual(['unreached-access', 'no-completed-write']);
  });

  it('lists never-executed statements like SPIN (outside proofs/ without a warning)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dirtyrace-cov-'));
    const f = join(dir, 'dead.race');
    writeFileSync(f, 'use x86_64;\npage P { present: true, write: true, pfn: F0 }\nframe F0;\nbool never = false;\ncpu a {\n  if (never) {\n    write P;\n  }\n  read P;\n}\n');
    const r = await run(['check', f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dead.race:7:5 {2}a: write P; {2}\(never executed\)/);
    expect(r.stdout).not.toContain('warning');
  });
});

describe('recorded state counts', () => {
  it('records next to each proof and warns when counts change while the model did not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dirtyrace-rec-'));
    cpSync('proofs/criu-soft-dirty-frozen-predump.race', join(dir, 'proofs', 'p.race'));
    const proof = join(dir, 'proofs', 'p.race');
    const rec = await run(['check', '--record', proof]);
    expect(rec.code).toBe(0);
    expect(rec.stdout).toContain(`note: recorded `);
    const counts = `${proof}.counts.json`;
    expect(existsSync(counts)).toBe(true);
    const doc = JSON.parse(readFileSync(counts, 'utf8'));
    const [key, entry] = Object.entries(doc.configurations)[0] as [string, { states: number; modelHash: string }];
    expect(key).toBe('arch=x86_64 symmetry=on por=on');
    expect(entry.modelHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Same model, same counts: nothing to say.
    expect((await run(['check', proof])).stdout).not.toMatch(/warning|note/);
    // Same model text, other counts: the checker changed.
    doc.configurations[key].states += 1;
    writeFileSync(counts, JSON.stringify(doc));
    const changed = await run(['check', proof]);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toMatch(/warning: \d+ states and \d+ transitions, but .*p.race.counts.json recorded \d+ and \d+/);
    expect((await run(['check', '--strict', proof])).code).toBe(1);
    // The model text changed: different counts are expected, only a note.
    writeFileSync(proof, `${readFileSync(proof, 'utf8')}\n// edited\n`);
    const edited = await run(['check', '--strict', proof]);
    expect(edited.code).toBe(0);
    expect(edited.stdout).toContain('note: the model text changed since the state counts were recorded');
  });
});

describe('reproducible runs', () => {
  it('every result states the version, the model files and the options as a command', async () => {
    const r = await run(['check', '--no-symmetry', '--max-states', '100000', 'scenarios/apply_as_clean/harvest-before-flush.race']);
    expect(r.stdout).toMatch(/\nrun: dirtyrace check --max-states 100000 --no-symmetry scenarios\/apply_as_clean\/harvest-before-flush.race {2}\(dirtyrace [^;]+; models: models\/x86_64.arch, (models\/linux\/\w+\.lib, )+models\/linux.lib; sha256:/);
    const doc = JSON.parse((await run(['check', '--format', 'json', '--no-por', 'proofs/criu-soft-dirty-frozen-predump.race'])).stdout);
    expect(doc.results[0].run).toMatchObject({
      tool: { name: 'dirtyrace' },
      modelFiles: ['proofs/criu-soft-dirty-frozen-predump.race', 'models/x86_64.arch', ...LINUX_LIBRARY_FILES],
      options: { arch: null, symmetry: true, por: false, strict: false, timeLimitSeconds: null },
      command: 'dirtyrace check --no-por proofs/criu-soft-dirty-frozen-predump.race',
    });
  });
});

describe('the progress line', () => {
  it('is drawn only on a terminal, without --quiet, and only after a second', () => {
    const err = { stderr: () => {} };
    const out1 = { stdout: () => {}, ...err };
    expect(progressWriter({}, { ...out1, stderrIsTTY: false })).toBeUndefined();
    expect(progressWriter({ quiet: true }, { ...out1, stderrIsTTY: true })).toBeUndefined();
    expect(progressWriter({}, { ...out1, stderrIsTTY: true })).toBeTypeOf('function');
    let out = '';
    const line = progressLine('big.race', (s) => { out += s; });
    line.update({ states: 10, transitions: 20, depth: 3, queue: 5, elapsedMs: 400 });
    expect(out).toBe('');
    line.update({ states: 2_500_000, transitions: 9_000_000, depth: 41, queue: 300_000, elapsedMs: 2000 });
    expect(out).toMatch(/^\rbig.race: 2,500,000 states, 1,250,000 states\/s, depth 41, queue 300,000, \d+ MiB, 2.0 s\x1b\[K$/);
    line.done();
    expect(out.endsWith('\r\x1b[K')).toBe(true);
    expect(formatProgress('x', { states: 0, transitions: 0, depth: 0, queue: 0, elapsedMs: 0 }, 0)).toBe('x: 0 states, 0 states/s, depth 0, queue 0, 0 MiB, 0.0 s');
  });

  it('writes nothing to a stderr that is not a terminal', async () => {
    const r = await run(['check', 'proofs']);
    expect(r.stderr).toBe('');
  });
});
