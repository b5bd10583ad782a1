// Limits that limit (issue 12 items 3-6, 10): every run ends with exit 3 and the numbers reached,
// or a model past a stated bound is refused with a located error (exit 2).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { compileModel } from '../../src/compile/index.js';
import { explore } from '../../src/explore/bfs.js';
import { runCli } from '../../src/cli/run.js';
import { cli, LONG_SEARCH, scenarioFile } from './cli.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } });
  return { code, stdout, stderr };
}

/** Four independent writers: POR takes most steps alone. */
const WIDE = `use x86_64;
page P { present: true, write: true, pfn: F0 }
frame F0;
int[0..3] a = 0; int[0..3] b = 0; int[0..3] c = 0; int[0..3] d = 0;
cpu w0 { a = 1; a = 2; a = 3; }
cpu w1 { b = 1; b = 2; b = 3; }
cpu w2 { c = 1; c = 2; c = 3; }
cpu w3 { d = 1; d = 2; d = 3; write P; }
invariant small: a + b + c + d <= 12;
`;

describe('--max-states', () => {
  const ts = compileModel(modelOf({ path: 'wide.race', text: WIDE }));
  const full = explore(ts, { por: true });

  it.each([1, 2, 7, 50, 100, 1000])('never stores more than %i states, with or without POR', (cap) => {
    for (const por of [true, false]) {
      const r = explore(ts, { por, maxStates: cap });
      const all = por ? full : explore(ts, { por });
      expect(r.states).toBeLessThanOrEqual(cap);
      if (all.states > cap) expect(r).toMatchObject({ states: cap, limit: 'states' });
      else expect(r.limit).toBeUndefined();
    }
  });

  it('a cap equal to the number of reachable states is no limit', () => {
    expect(explore(ts, { por: true, maxStates: full.states }).limit).toBeUndefined();
    expect(explore(ts, { por: true, maxStates: full.states - 1 }).limit).toBe('states');
  });

  it('the CLI ends with exit 3 and the numbers reached (POR on)', async () => {
    const dir = mkdtempSync('/tmp/limits-');
    writeFileSync(`${dir}/wide.race`, WIDE);
    const r = await run('check', '--max-states', '50', `${dir}/wide.race`);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^inconclusive {2}\(state limit reached: x86_64, 4 CPUs, 1 page; 50 states, \d+ transitions/);
  });
});

describe('--memory-limit', () => {
  it('ends the run with exit 3 and the numbers reached, in a child process', () => {
    // Bounded by work: without the memory limit the state cap would end it (exit 3, "state limit").
    const r = cli('check', '-q', '--no-por', '--memory-limit', '64', '--max-states', '14000000', scenarioFile('long.race', LONG_SEARCH));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    const m = /^inconclusive {2}\(memory limit reached with (\d+) MiB of states stored: x86_64, 5 CPUs, 1 page; (\d+) states, \d+ transitions, search depth \d+/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(64);
    expect(Number(m![2])).toBeLessThan(14_000_000);
    expect(r.stdout).toContain('--memory-limit 64');
  });

  it('is a JSON limit like the others', () => {
    const r = cli('check', '-q', '--no-por', '--memory-limit', '40', '--max-states', '14000000', '--format', 'json', scenarioFile('long.race', LONG_SEARCH));
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as { results: { stats: { limit: string } }[] }).results[0]!.stats.limit).toBe('memory');
  });

  it.each(['0', '-5', 'lots'])('refuses %j: exit 2', async (v) => {
    const r = await run('check', `--memory-limit=${v}`, 'scenarios/tutorial/peterson.race');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--memory-limit takes a positive number, found '${v}'`);
  });
});
