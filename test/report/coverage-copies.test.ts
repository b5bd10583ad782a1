// Coverage of inlined copies (issue 15 §2): a fault handler is inlined at every access and a
// procedure at every call; the copies are one source statement, reached if any copy ran, and an
// unreached one names where its copies were inlined.
import { describe, expect, it } from 'vitest';
import { checkText, type CheckedFile } from '../../src/index.js';
import { coverageText } from '../../src/report/coverage.js';

type Checked = Extract<CheckedFile, { kind: 'checked' }>;

const scenario = (qWritable: boolean) => `use x86_64;
page P { present: true, write: false, accessed: true, pfn: F0 }
page Q { present: true, write: ${qWritable}, accessed: true, dirty: true, pfn: F1 }
frame F0, F1;
disable evict;
cpu a { write P; write Q; }
fault write(p) {
  let e = ptep_get(p);
  set_pte(p, e with { write: true });
}
`;

async function checked(text: string): Promise<Checked> {
  const r = await checkText(text, { path: 'copies.race' });
  if (r.kind !== 'checked') throw new Error(r.kind);
  return r;
}

describe('coverage of inlined copies', () => {
  it('a handler that ran for one access is not reported unexecuted for the other', async () => {
    const r = await checked(scenario(true));
    const c = r.analysis.coverage;
    // Two accesses and the handler's two statements, counted once each.
    expect(c.statements).toEqual({ reached: 4, total: 4 });
    expect(c.unreached.filter((u) => u.what === 'statement')).toEqual([]);
  });

  it('a handler statement no copy ran names every access it was inlined for', async () => {
    const r = await checked(scenario(true).replace('write: false', 'write: true, dirty: true'));
    const c = r.analysis.coverage;
    expect(c.statements).toEqual({ reached: 2, total: 4 });
    const handler = c.unreached.filter((u) => u.what === 'statement').sort((a, b) => a.location.line - b.location.line);
    expect(handler.map((u) => u.location.line)).toEqual([8, 9]);
    expect(handler[0]!.in).toEqual(['fault write(p) for `write P;` at copies.race:6:9', 'fault write(p) for `write Q;` at copies.race:6:18']);
    expect(coverageText(c)).toContain('(never executed in any copy: fault write(p) for `write P;` at copies.race:6:9; fault write(p) for `write Q;` at copies.race:6:18)');
  });
});
