// Symmetry with CPU-typed data (issue 12 item 1): where group members tie, a representative depends
// on the state it was computed from, and traces must still be rebuilt, in the user's CPU names.
import { mkdtempSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { compileModel } from '../../src/compile/index.js';
import { explore } from '../../src/explore/bfs.js';
import { rebuildTrace } from '../../src/report/trace.js';
import { renderScenario, scenarioSpecArb, type GlobalSpec } from '../gen/scenario.js';
import { cli } from './cli.js';

const REPRODUCER = `use x86_64;
page P { present: true, write: true, accessed: true, pfn: F0 }
frame F0;
disable fill; disable evict;
cpu watched = any;
cpu owner[page] = any;
cpu w[2] { owner[P] = self; }
final not_watched: owner[P] != watched;
`;

describe('the reproducer', () => {
  const dir = mkdtempSync('/tmp/symmetry-');
  const file = `${dir}/owner.race`;
  writeFileSync(file, REPRODUCER);

  const options: string[][] = [[], ['--no-trace'], ['--threads', '2'], ['--hash-compact'], ['--no-symmetry']];
  it.each(options.map((o) => [o.join(' ') || 'defaults', o] as const))('%s: violated, exit 1, trace in CPU names', (_, flags) => {
    const r = cli('check', '-q', ...flags, file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^violated {2}not_watched {2}\(x86_64, 2 CPUs, 1 page; \d+ states, \d+ transitions, search depth 2,/);
    if (!flags.includes('--no-trace')) expect(r.stdout).toMatch(/\n1 .*owner\[P\] = self;.*\n2 .*owner\[P\] = self;/);
  });
});

const cpuGlobal = (index: GlobalSpec['index']): GlobalSpec => ({ type: 'cpu', hi: 1, index, init: 0, anyInit: true, ghost: false });

/**
 * Generated scenarios with a group of two CPUs and CPU-typed data (`cpu n0 = any;` and n1 plain,
 * per page or per CPU), with properties comparing CPU values among themselves only (a property
 * naming a CPU would leave the group out of the reduction).
 */
const symmetricArb = fc.tuple(scenarioSpecArb, fc.constantFrom('none' as const, 'page' as const, 'cpu' as const)).map(([spec, index]) => {
  const text = renderScenario({
    ...spec,
    cpus: [{ ...spec.cpus[0]!, count: 2 }, ...spec.cpus.slice(1, 2)],
    globals: [cpuGlobal('none'), cpuGlobal(index), ...spec.globals.slice(0, 1)],
    props: [],
  });
  const n1 = index === 'none' ? 'n1' : index === 'page' ? 'n1[P0]' : 'n1[n0]';
  return `${text}final differ: ${n1} != n0;
invariant unwritten: ${n1} != n0 || F0.version == 0;
`;
});

describe('generated symmetric scenarios with CPU-typed data', () => {
  it('symmetry keeps every verdict and depth, and every trace replays to its length', () => {
    let groups = 0;
    let violations = 0;
    fc.assert(fc.property(symmetricArb, (text) => {
      const ts = compileModel(modelOf({ path: 'generated.race', text }));
      const plain = explore(ts, { maxStates: 20000 });
      const reduced = explore(ts, { maxStates: 20000, symmetry: true });
      if (plain.limit || reduced.limit) return;
      if (reduced.symmetry?.groups.length) groups++;
      expect(reduced.violations.map((v) => v?.depth)).toEqual(plain.violations.map((v) => v?.depth));
      reduced.violations.forEach((v) => {
        if (!v) return;
        violations++;
        expect(rebuildTrace(ts, reduced, v).steps.length).toBe(v.depth);
      });
    }), { numRuns: 120, seed: 1212 });
    // The runs above did exercise the reduction: most had a group and found violations.
    expect(groups).toBeGreaterThan(60);
    expect(violations).toBeGreaterThan(60);
  });
});
