// A cleared PTE prints as `none`, not as `{pfn=F0}` (issue 15 §5): frame 0 is F0, so an
// all-zero PTE used to read as a mapping of F0.
import { describe, expect, it } from 'vitest';
import { checkText, traceOf } from '../../src/index.js';
import { changes, describeState } from '../../src/report/decode.js';

describe('PTE text', () => {
  it('an all-zero PTE is none, in the trace and the judged state', async () => {
    const text = 'use x86_64;\npage P { present: true, write: true, pfn: F0 }\nframe F0;\ndisable fill;\ncpu a { let old = ptep_get_and_clear(P); }\ninvariant mapped: pte_present(ptep_get(P));\n';
    const r = await checkText(text, { path: 'none.race' });
    if (r.kind !== 'checked') throw new Error(r.kind);
    const v = r.verdict.properties.find((p) => p.property.name === 'mapped')!;
    expect(v.status).toBe('violated');
    const trace = traceOf(r.ts, r.result, v.violation!);
    expect(describeState(r.ts, trace.final).get('P')).toBe('none');
    expect(changes(r.ts, trace.initial, trace.final)).toContain('P=none');
    // A PTE with fields set still prints as a record.
    expect(describeState(r.ts, trace.initial).get('P')).toBe('{present,write,pfn=F0}');
  });
});
