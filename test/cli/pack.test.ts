// The package outside this checkout (issue 13.4): `npm pack`, install the tarball (npm prefers its
// cache for the dependencies) into scratch copies of the two layouts the README's CI
// section describes, and run that section's own `run:` lines there.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINUX_PRELUDE } from '../fixtures/linux-prelude.js';
import { Client } from '../lsp/client.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PACK_STEP = 'cd .dirtyrace && npm ci && npm pack';

/** The scratch project's own scenario (the apply_as_clean race written with the kernel library); CLEANER is the cleaner's body. */
const RACE = `${LINUX_PRELUDE}ghost int[0..2] saved = 0;
cpu cleaner {
CLEANER
}
cpu writer { write P; write P; }
fault write(p) { handle_pte_write_fault(p); }
final no_lost_dirty: F0.version == saved || pte_dirty(ptep_get(P)) || bitmap[P];
`;
const CONSUME = '  atomic { if (bitmap[P]) { saved = F0.version; bitmap[P] = false; } }';
/** The consumer after the call (and so after its flush): holds. */
const proofText = RACE.replace('CLEANER', `  clean_record_shared_mapping_range(P);\n${CONSUME}`) + 'expect holds;\n';
/** The consumer between dropping the lock and the deferred flush: loses a write. */
const raceText = RACE.replace('CLEANER', `  wp_clean_pre_vma();
  lock(ptl);
  let cleaned = clean_record_pte_locked(P);
  unlock(ptl);
${CONSUME}
  wp_clean_post_vma(P, cleaned);`) + 'expect holds;\n';

/** The `run:` lines of the README's workflow marked `dirtyrace-ci: LAYOUT`. */
function readmeRuns(layout: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = readme.split('```').find((b) => b.includes(`(dirtyrace-ci: ${layout})`));
  if (block === undefined) throw new Error(`README has no workflow marked dirtyrace-ci: ${layout}`);
  return [...block.matchAll(/^\s*run: (.*)$/gm)].map((m) => m[1]!.replace(/^'(.*)'$/, '$1'));
}

let tmp: string;
let tarball: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'dirtyrace-pack-'));
  // --ignore-scripts: `npm test` has built dist/ already; prepack would rebuild it under the
  // feet of the tests running beside this one.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8' });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  tarball = join(tmp, info!.filename);
  const files = new Set(info!.files.map((f) => f.path));
  for (const f of ['dist/src/cli/main.js', 'dist/src/lang/dirtyrace.ohm', 'dist/src/explore/worker.js', 'dist/src/index.d.ts',
    'models/x86_64.arch', 'models/linux.lib', 'README.md']) {
    expect(files.has(f), f).toBe(true);
  }
  expect([...files].filter((f) => f.startsWith('test') || f.startsWith('src/') || f.startsWith('dist/test'))).toEqual([]);
}, 600_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Step { line: string; status: number | null; stdout: string; stderr: string }

/** Runs the README's lines in `dir` up to the first that fails, the checkout's pack step replaced by our tarball. */
function runReadme(layout: string, dir: string): Step[] {
  const runs = readmeRuns(layout);
  expect(runs[0]).toBe(PACK_STEP);
  mkdirSync(join(dir, '.dirtyrace'), { recursive: true });
  copyFileSync(tarball, join(dir, '.dirtyrace', tarball.slice(tmp.length + 1)));
  const steps: Step[] = [];
  for (const line of runs.slice(1)) {
    const r = spawnSync('bash', ['-e', '-c', line], { cwd: dir, env: runnerEnv(layout), encoding: 'utf8' });
    steps.push({ line, status: r.status, stdout: r.stdout, stderr: r.stderr });
    if (r.status !== 0) break;
  }
  return steps;
}

/** The environment of a CI runner; npm takes what it has from its cache (the lockfile install left no registry metadata, so not --offline). */
function runnerEnv(layout: string): NodeJS.ProcessEnv {
  const runnerTemp = join(tmp, `runner-${layout.replace(/\W/g, '')}`);
  mkdirSync(runnerTemp, { recursive: true });
  return { ...process.env, npm_config_prefer_offline: 'true', RUNNER_TEMP: runnerTemp };
}

function project(name: string, scenarios: string): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, scenarios), { recursive: true });
  return dir;
}

describe('the packed tarball, installed elsewhere', () => {
  it('a repository of scenarios: the README workflow checks its proofs and scenarios with the bundled models', async () => {
    const dir = project('scenarios-repo', 'scenarios');
    mkdirSync(join(dir, 'proofs'));
    writeFileSync(join(dir, 'proofs', 'consume-after-flush.race'), proofText);
    writeFileSync(join(dir, 'scenarios', 'consume-before-flush.race'), raceText.replace('expect holds;', 'expect violated no_lost_dirty;'));
    const steps = runReadme('scenarios repository', dir);
    for (const st of steps) expect(st.status, `${st.line}\n${st.stdout}\n${st.stderr}`).toBe(0);
    expect(steps.length).toBe(readmeRuns('scenarios repository').length - 1);
    const check = steps.at(-1)!.stdout;
    expect(check).toMatch(/PASS\s+proofs\/consume-after-flush\.race/);
    expect(check).toMatch(/PASS\s+scenarios\/consume-before-flush\.race/);
    // The models came with the package.
    const json = spawnSync('npx', ['dirtyrace', 'check', '--format', 'json', 'proofs'], { cwd: dir, encoding: 'utf8' });
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain(`"modelFiles":["${join(dir, 'node_modules/dirtyrace/models/x86_64.arch')}"`);
    expect(readFileSync(join(dir, 'reports', 'junit.xml'), 'utf8')).toContain('<testcase');
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'dirtyrace.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(readFileSync(join(dir, 'reports', 'traces.html'), 'utf8')).toContain('<html');
    // The language server runs from the installed package too (its dependencies came with it).
    const server = spawn('npx', ['dirtyrace', 'lsp'], { cwd: dir, stdio: 'pipe' });
    const client = new Client(server);
    const init = await client.request('initialize', { processId: null, rootUri: null, capabilities: {} });
    expect(init.capabilities.hoverProvider).toBe(true);
    await client.request('shutdown', null);
    client.notify('exit', null);
    expect(await new Promise((r) => server.once('exit', r))).toBe(0);
  });

  it('a kernel tree with a dirtyrace/ folder: installed outside the tree, a broken claim fails the step', () => {
    const dir = project('linux', 'dirtyrace');
    writeFileSync(join(dir, 'dirtyrace', 'consume-before-flush.race'), raceText);
    // The claim is broken, so the check (the last line) fails with exit 1, as the job would.
    const steps = runReadme('kernel tree', dir);
    expect(steps.map((st) => st.status)).toEqual([0, 1]);
    expect(steps[1]!.stdout).toMatch(/^violated {2}no_lost_dirty/);
    expect(existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'node_modules'))).toBe(false);
    // Fixed, the same line passes.
    writeFileSync(join(dir, 'dirtyrace', 'consume-before-flush.race'), proofText);
    const check = spawnSync('bash', ['-e', '-c', steps[1]!.line], { cwd: dir, env: runnerEnv('kernel tree'), encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^holds/);
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'dirtyrace.sarif'), 'utf8')).version).toBe('2.1.0');
  });
});
