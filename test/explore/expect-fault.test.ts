// `write P expect fault;` (issue 15 §2): an access that must never complete is a provable claim,
// not a vacuity error under --strict.
import { describe, expect, it } from 'vitest';
import { checkText, type CheckedFile } from '../../src/index.js';
import { exploreReference } from '../../src/reference/index.js';

type Checked = Extract<CheckedFile, { kind: 'checked' }>;

// mprotect(PROT_READ) on another CPU, with the flush: after it, the write must fault. The fault
// handler gives up (the page stays read-only), so the writer retries without end.
const scenario = (flush: string, wait: string) => `use x86_64;
page P { present: true, write: true, accessed: true, dirty: true, pfn: F0 }
frame F0;
disable evict;
bool protected = false;
cpu mprotect { ptep_set_wrprotect(P); ${flush} protected = true; }
cpu writer { read P; await(protected); write P ${wait}; }
fault write(p) { skip; }
expect holds;
`;

async function checked(text: string, path = 'proofs/ro.race', opts = {}): Promise<Checked> {
  const r = await checkText(text, { path, strict: true, ...opts });
  if (r.kind !== 'checked') throw new Error(r.kind);
  return r;
}

describe('expect fault', () => {
  it('holds when every write after the flush faults, with no vacuity warning under --strict', async () => {
    const r = await checked(scenario('flush(P);', 'expect fault'));
    expect(r.verdict.properties.find((p) => p.property.name === 'expected_fault_line_7')!.status).toBe('holds');
    expect(r.analysis.warnings).toEqual([]);
    expect(r.exit).toBe(0);
  });

  it('is violated when a stale writable TLB entry lets the write complete (no flush)', async () => {
    const r = await checked(scenario('', 'expect fault'));
    const p = r.verdict.properties.find((q) => q.property.name === 'expected_fault_line_7')!;
    expect(p.status).toBe('violated');
    expect(r.exit).toBe(1);
    // The reference interpreter finds the same shortest violation.
    const ref = exploreReference(r.model).properties.find((q) => q.name === 'expected_fault_line_7');
    expect(ref).toEqual({ name: 'expected_fault_line_7', violated: true, depth: p.violation!.depth });
  });

  it('without the mark, the writer retrying for ever is a livelock', async () => {
    const r = await checked(scenario('flush(P);', ''));
    expect(r.verdict.properties.find((p) => p.property.name === 'livelock')!.status).toBe('violated');
    expect(r.exit).toBe(1);
  });
});
