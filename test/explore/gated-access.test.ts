// Gated accesses (`write P when c;`, issue 15 §3): the guard is tested in the access's own step,
// so nothing can land between the test and the access — unlike `await(c); write P;`, which is
// two steps and gives the wrong verdict for the CRIU pre-dump freeze.
import { describe, expect, it } from 'vitest';
import { checkText, formatDiagnostic, type RunOptions } from '../../src/index.js';
import { checked as checkedText, verdictOf, type Checked } from '../gen/checked.js';
import { exploreReference } from '../../src/reference/index.js';


const scenario = (task: string) => `use x86_64;
page P { present: true, write: true, accessed: true, dirty: true, pfn: F0 }
frame F0;
disable evict;
bool frozen = false;
cpu task { ${task} }
cpu freezer { frozen = true; frozen = false; }
on write while_frozen(c, p, f): !frozen;
`;

const checked = (text: string, opts: Partial<RunOptions> = {}) => checkedText(text, 'gated.race', opts);

const status = (r: Checked, name: string) => verdictOf(r, name).status;

describe('gated accesses', () => {
  it('a gated write never completes while the guard is false', async () => {
    for (const opts of [{}, { por: false, symmetry: false }, { threads: 2 }]) {
      const r = await checked(scenario('write P when !frozen;'), opts);
      expect(status(r, 'while_frozen')).toBe('holds');
      expect(status(r, 'deadlock')).toBe('holds');
      expect(r.analysis.coverage.zeroWrites).toBe(false);
    }
  });

  it('await then write is two steps: the freeze lands between them', async () => {
    const r = await checked(scenario('await(!frozen); write P;'));
    expect(status(r, 'while_frozen')).toBe('violated');
  });

  it('the reference interpreter agrees on both forms', async () => {
    for (const task of ['write P when !frozen;', 'await(!frozen); write P;', 'read P when frozen;']) {
      const r = await checked(scenario(task), { por: false, symmetry: false });
      const ref = exploreReference(r.model);
      expect(ref.states).toBe(r.result.states);
      for (const p of r.verdict.properties) {
        expect(ref.properties.find((q) => q.name === p.property.name)!.violated, p.property.name).toBe(p.status === 'violated');
      }
    }
  });

  it('a guard that is never true blocks the CPU: a deadlock', async () => {
    const r = await checked('use x86_64;\npage P { present: true, pfn: F0 }\nframe F0;\ncpu a { read P when false; }\n');
    expect(status(r, 'deadlock')).toBe('violated');
  });

  it('the guard must be a bool', async () => {
    const r = await checkText('use x86_64;\npage P { present: true, pfn: F0 }\nframe F0;\ncpu a { read P when P; }\n', { path: 'g.race' });
    expect(r.kind).toBe('bad-input');
    if (r.kind === 'bad-input') expect(formatDiagnostic(r.diagnostic)).toMatch(/^g\.race:4:21: .*access guard/);
  });
});
