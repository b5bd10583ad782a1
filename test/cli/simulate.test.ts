// `dirtyrace simulate`: one random run, the same for the same seed, every step a real step of
// the transition system, and a violation it runs into reported with its trace.
import { describe, expect, it } from 'vitest';
import { modelOfFile } from '../../src/check/index.js';
import { compileModel, OK } from '../../src/compile/index.js';
import { run } from './harness.js';
import { simulate } from '../../src/simulate/index.js';

const PETERSON = 'scenarios/tutorial/peterson-broken.race';
const P2 = 'scenarios/apply_as_clean/harvest-before-flush.race';

describe('simulate', () => {
  it('the same seed prints the same run; other seeds other runs', async () => {
    const a = await run('simulate', '--seed', '42', P2);
    expect(a.code).toBe(0);
    expect((await run('simulate', '--seed', '42', P2)).stdout).toBe(a.stdout);
    const others = new Set<string>();
    for (const seed of ['1', '2', '3', '4', '5']) others.add((await run('simulate', '--seed', seed, P2)).stdout.replace(/--seed \d+/, ''));
    expect(others.size).toBeGreaterThan(1);
  });

  it('every step is a step of the transition system from the one before', () => {
    const ts = compileModel(modelOfFile(P2));
    for (let seed = 1; seed <= 20; seed++) {
      const { trace, end } = simulate(ts, { seed, steps: 1000 });
      expect(ts.initialStates().some((s) => s.join() === trace.initial.join())).toBe(true);
      let s = trace.initial;
      for (const step of trace.steps) {
        const after = s.slice();
        expect(ts.step(step.action, after)).toBe(OK);
        expect(after).toEqual(step.after);
        s = after;
      }
      // This scenario's run always ends with every CPU finished (its violation is too rare to hit in 20 runs).
      expect(end).toBe('finished');
      expect(ts.finished(s)).toBe(true);
    }
  });

  it('reports a violation it runs into, with the trace and the failing state: exit 1', async () => {
    const r = await run('simulate', '--seed', '7', PETERSON);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^simulate scenarios\/tutorial\/peterson-broken\.race --seed 7: violated mutual_exclusion after 8 steps\n/);
    expect(r.stdout).toContain('mutual_exclusion fails: invariant mutual_exclusion:');
    expect(r.stdout).toMatch(/in_cs=2/);
    const d = await run('simulate', '--seed', '1', 'scenarios/tutorial/deadlock.race');
    expect(d.code).toBe(1);
    expect(d.stdout).toContain('violated deadlock after 2 steps');
  });

  it('stops at --steps; bad arguments and unreadable files are exit 2', async () => {
    const r = await run('simulate', '--seed', '3', '--steps', '4', 'scenarios/tutorial/deadlock.race');
    expect(r.stdout).toContain('stopped after 4 steps (--steps); no property failed');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^4 /);
    for (const args of [['--seed', 'x', P2], ['--steps', '1.5', P2], [P2, P2], ['missing.race'], ['scenarios']]) {
      const b = await run('simulate', ...args);
      expect(b.code, args.join(' ')).toBe(2);
      expect(b.stderr).not.toMatch(/\bat .*\.js:\d+/);
    }
  });
  it('--memory: the relaxed steps appear in arm64 runs only under relaxed; a bad value is exit 2', async () => {
    const file = 'scenarios/arm64_barriers/kernel-map-no-barrier.race';
    const relaxedSteps = /\b(hu_commit|walk_early|read_early|store_commit) /;
    let relaxed = 0;
    for (const seed of ['1', '2', '3', '4', '5', '6', '7', '8']) {
      const sc = await run('simulate', '--seed', seed, '--memory', 'sc', file);
      expect(sc.stdout).not.toMatch(relaxedSteps);
      if (relaxedSteps.test((await run('simulate', '--seed', seed, file)).stdout)) relaxed++;
    }
    expect(relaxed).toBeGreaterThan(0);
    const bad = await run('simulate', '--memory', 'tso', file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--memory is relaxed or sc, found 'tso'/);
  });
});
