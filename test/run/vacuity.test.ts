// Vacuity alarms must be true (issue 15 §2): no "no write ever completed" when a write did
// complete, and no vacuity failure for a proof that has no writes to complete.
import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/index.js';

const head = `use x86_64;
page P { present: true, write: true, accessed: true, dirty: true, pfn: F0 }
frame F0;
disable evict;
`;

describe('vacuity alarms', () => {
  it('a write that breaks an on-write property still counts as completed', async () => {
    const r = await checkText(`${head}cpu a { write P; }\non write w(c, p, f): false;\nexpect violated w;\n`, { path: 'proofs/w.race' });
    if (r.kind !== 'checked') throw new Error(r.kind);
    expect(r.exit).toBe(0);
    expect(r.analysis.coverage.zeroWrites).toBe(false);
    expect(r.analysis.warnings).toEqual([]);
  });

  it('a proof with no write statement at all is not vacuous for want of writes', async () => {
    const r = await checkText(`${head}bool b = false;\ncpu a { read P; b = true; }\ninvariant ok: true;\nexpect holds;\n`, { path: 'proofs/r.race', strict: true });
    if (r.kind !== 'checked') throw new Error(r.kind);
    expect(r.analysis.coverage.hasWrites).toBe(false);
    expect(r.analysis.warnings.map((w) => w.kind)).not.toContain('no-completed-write');
    expect(r.exit).toBe(0);
  });

  it('a proof whose writes never complete is still flagged', async () => {
    const r = await checkText(`use x86_64;\npage P { present: true, write: false, pfn: F0 }\nframe F0;\ndisable evict;\ncpu a { write P; }\nfault write(p) { sigsegv; }\nexpect holds;\n`, { path: 'proofs/nw.race', maxStates: 1000 });
    if (r.kind !== 'checked') throw new Error(r.kind);
    expect(r.analysis.coverage.zeroWrites).toBe(true);
    expect(r.analysis.warnings.map((w) => w.kind)).toContain('no-completed-write');
  });
});
