// Fatal faults (issue 15 §3): `sigsegv;` in a fault handler ends the access and the CPU's
// program; the CPU is "killed", shown in traces and readable as killed(c) in properties. Before,
// a fault that could not be fixed retried forever.
import { describe, expect, it } from 'vitest';
import { checkText, formatDiagnostic, formatTrace, type RunOptions } from '../../src/index.js';
import { checked as checkedText, verdictOf, type Checked } from '../gen/checked.js';
import { exploreReference } from '../../src/reference/index.js';


const scenario = `use x86_64;
page P { present: true, write: false, accessed: true, pfn: F0 }
frame F0;
disable evict;
bool tried = false;
cpu a { tried = true; write P; }
cpu b[2] { read P; }
fault write(p) { sigsegv; }
final dead: killed(a);
invariant alive: !killed(a);
reachable tried_and_killed: killed(a) && tried;
`;

const checked = (text: string, opts: Partial<RunOptions> = {}) => checkedText(text, 'segv.race', opts);
const status = (r: Checked, name: string) => verdictOf(r, name);

describe('fatal faults', () => {
  it('kill the faulting CPU: it finishes, killed, and finals are judged', async () => {
    for (const opts of [{}, { por: false, symmetry: false }, { threads: 2 }, { hashCompact: true }]) {
      const r = await checked(scenario, opts);
      expect(status(r, 'dead').status).toBe('holds');
      expect(status(r, 'alive').status).toBe('violated');
      expect(status(r, 'alive').violation!.depth).toBe(3);
      expect(status(r, 'tried_and_killed').status).toBe('reached');
      expect(status(r, 'deadlock').status).toBe('holds');
      expect(status(r, 'unhandled_fault').status).toBe('holds');
      expect(r.result.finalStates).toBeGreaterThan(0);
    }
  });

  it('the trace shows the kill', async () => {
    const r = await checked(scenario);
    const text = formatTrace(r.ts, r.result, status(r, 'alive'));
    expect(text).toMatch(/write P; -> fault/);
    expect(text).toMatch(/sigsegv;.*a\.status=killed/);
  });

  it('the reference interpreter agrees (states, verdicts, depths)', async () => {
    const r = await checked(scenario, { por: false, symmetry: false });
    const ref = exploreReference(r.model);
    expect(ref.states).toBe(r.result.states);
    expect(ref.transitions).toBe(r.result.transitions);
    for (const p of r.verdict.properties) {
      expect(ref.properties.find((q) => q.name === p.property.name), p.property.name)
        .toEqual(p.violation ? { name: p.property.name, violated: true, depth: p.violation.depth } : { name: p.property.name, violated: false });
    }
  });

  it('symmetry permutes the killed flags with the CPUs', async () => {
    // Two identical writers, one of which may find the page writable: no property names them,
    // so symmetry is on; killed-and-wrote and wrote-and-killed are one orbit, not two states.
    const text = `use x86_64;
page P { present: true, write: false, accessed: true, pfn: F0 }
frame F0;
disable evict;
cpu w[2] { write P; }
cpu m { let e = ptep_get(P); set_pte(P, e with { write: true }); }
fault write(p) { sigsegv; }
final one_wrote_at_most: F0.version <= 2;
`;
    const on = await checked(text);
    const off = await checked(text, { symmetry: false, por: false });
    expect(on.result.symmetry?.groups).toEqual([[0, 1]]);
    expect(on.result.states).toBeLessThan(off.result.states);
    for (const p of off.verdict.properties) expect(status(on, p.property.name).status, p.property.name).toBe(p.status);
    // Symmetry stores one state per orbit: count the orbits of the unreduced states, each writer
    // being its pc, its TLB entry and its killed flag (written here, not taken from symmetry.ts).
    const l = off.ts.layout;
    const member = (st: Int32Array, c: number) => [st[l.cpus[c]!.pc], ...Array.from(st.subarray(l.tlbBase + c * l.tlbWidth, l.tlbBase + (c + 1) * l.tlbWidth)), st[l.killedBase + c]].join(',');
    const orbits = new Set<string>();
    off.result.scanStates((st) => {
      const own = new Set([l.cpus[0]!.pc, l.cpus[1]!.pc, l.killedBase, l.killedBase + 1, ...Array.from({ length: 2 * l.tlbWidth }, (_, i) => l.tlbBase + i)]);
      const rest = Array.from(st).filter((_, i) => !own.has(i)).join(',');
      orbits.add(`${[member(st, 0), member(st, 1)].sort().join('|')}#${rest}`);
    });
    expect(on.result.states).toBe(orbits.size);
    const ref = exploreReference(off.model);
    expect(ref.states).toBe(off.result.states);
  });

  it('sigsegv outside a fault handler is a located error', async () => {
    const r = await checkText('use x86_64;\npage P { present: true, pfn: F0 }\nframe F0;\ncpu a { sigsegv; }\n', { path: 'bad.race' });
    expect(r.kind).toBe('bad-input');
    if (r.kind === 'bad-input') expect(formatDiagnostic(r.diagnostic)).toMatch(/^bad\.race:4:9: .*fault handler/);
  });
});
