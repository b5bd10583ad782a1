// Valid end states (issue 15 §3): a CPU blocked at an `end...:` label (SPIN's end labels) counts
// as finished: it is not a deadlock, and final properties are judged there.
import { describe, expect, it } from 'vitest';
import type { RunOptions } from '../../src/index.js';
import { checked as checkedText, verdictOf, type Checked } from '../gen/checked.js';
import { exploreReference } from '../../src/reference/index.js';

const head = 'use x86_64;\npage P { present: true, write: true, accessed: true, dirty: true, pfn: F0 }\nframe F0;\ndisable evict;\nbool frozen = false;\nspinlock l;\n';

const checked = (text: string, opts: Partial<RunOptions> = {}) => checkedText(text, 'end.race', opts);
const status = (r: Checked, name: string) => verdictOf(r, name).status;

function agreesWithReference(r: Checked) {
  const ref = exploreReference(r.model);
  expect(ref.states).toBe(r.result.states);
  for (const p of r.verdict.properties) {
    const q = ref.properties.find((x) => x.name === p.property.name)!;
    expect(q.violated, p.property.name).toBe(p.status === 'violated');
    if (q.violated) expect(q.depth, p.property.name).toBe(p.violation!.depth);
  }
}

describe('end labels', () => {
  // A task frozen for good after its write: it stays blocked, which is how the run ends.
  const frozenTask = `${head}cpu task { write P; end: await(!frozen); }\ncpu freezer { frozen = true; }\nfinal wrote: F0.version == 1;\n`;

  it('a CPU blocked at an end label is not a deadlock, and finals are judged there', async () => {
    for (const opts of [{}, { por: false, symmetry: false }]) {
      const r = await checked(frozenTask, opts);
      expect(status(r, 'deadlock')).toBe('holds');
      expect(status(r, 'wrote')).toBe('holds');
      expect(r.result.finalStates).toBeGreaterThan(0);
      expect(r.analysis.warnings.map((w) => w.kind)).not.toContain('no-final-state');
      agreesWithReference(await checked(frozenTask, { por: false, symmetry: false }));
    }
  });

  it('without the label the frozen run is a deadlock, and is not a state finals are judged in', async () => {
    const labelled = await checked(frozenTask, { por: false, symmetry: false });
    const r = await checked(frozenTask.replace('end: ', ''), { por: false, symmetry: false });
    expect(status(r, 'deadlock')).toBe('violated');
    expect(r.result.finalStates).toBeLessThan(labelled.result.finalStates);
  });

  it('a final property that fails at the end point is violated', async () => {
    const r = await checked(frozenTask.replace('final wrote: F0.version == 1;', 'final thawed: !frozen;'));
    expect(status(r, 'thawed')).toBe('violated');
    agreesWithReference(await checked(frozenTask.replace('final wrote: F0.version == 1;', 'final thawed: !frozen;'), { por: false, symmetry: false }));
  });

  it('another CPU blocked at an unlabelled point is still a deadlock', async () => {
    const text = `${head}cpu a { lock(l); end: await(frozen); }\ncpu b { lock(l); unlock(l); }\n`;
    const r = await checked(text);
    expect(status(r, 'deadlock')).toBe('violated');
    agreesWithReference(await checked(text, { por: false, symmetry: false }));
  });

  it('an end label on a lock acquisition: the CPU may wait there for good', async () => {
    const text = `${head}cpu a { lock(l); }\ncpu b { end_wait: lock(l); unlock(l); }\n`;
    const r = await checked(text);
    expect(status(r, 'deadlock')).toBe('holds');
    expect(r.result.finalStates).toBeGreaterThan(0);
  });

  it('a label that does not start with end, or on a statement that never blocks, changes nothing', async () => {
    const plain = await checked(frozenTask.replace('end: ', 'wait: '));
    expect(status(plain, 'deadlock')).toBe('violated');
    const never = await checked(`${head}cpu a { lock(l); end: frozen = true; lock(l); }\n`);
    expect(status(never, 'deadlock')).toBe('violated');
  });
});
