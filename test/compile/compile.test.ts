// The compile stage on its own: the slot layout, the action table, and generated steps run on
// concrete states (the explorer and the reference interpreter are compared elsewhere).
import { describe, expect, it } from 'vitest';
import { modelOf, modelOfFile } from '../../src/check/index.js';
import { compileModel, DISABLED, OK, pteSlot, tlbSlot, type TransitionSystem } from '../../src/compile/index.js';
import { independentPoints } from '../../src/compile/independence.js';
import { slotWidth } from '../../src/ir/types.js';
import { bundledFiles } from '../gen/bundled.js';

const system = (text: string) => compileModel(modelOf({ path: 'c.race', text }));

/** Every slot the layout hands out, with what it holds. */
function slots(ts: TransitionSystem): string[] {
  const { model: m, layout: l } = ts;
  const out: string[] = [];
  const add = (at: number, n: number, what: string) => { for (let i = 0; i < n; i++) out[at + i] = out[at + i] === undefined ? what : `${out[at + i]} AND ${what}`; };
  m.cpus.forEach((c, i) => {
    add(l.cpus[i]!.pc, 1, `pc ${c.name}`);
    c.locals.forEach((lc) => add(l.cpus[i]!.localSlot[lc.id]!, slotWidth(m.arch, lc.type), `${c.name}.${lc.name}`));
  });
  m.globals.forEach((g) => add(l.globalSlot[g.id]!, g.init.length, g.name));
  m.pages.forEach((p) => add(pteSlot(l, p.index, 0), l.pteWidth, `pte ${p.name}`));
  m.cpus.forEach((c) => m.pages.forEach((p) => add(tlbSlot(l, m.pages.length, c.index, p.index, 0), l.tlbWidth, `tlb ${c.name} ${p.name}`)));
  m.frames.forEach((f) => { add(l.versionBase + f.index, 1, `${f.name}.version`); add(l.freedBase + f.index, 1, `${f.name}.freed`); });
  m.locks.forEach((k) => add(l.lockSlot[k.id]!, l.lockWidth[k.id]! * (k.perPage ? m.pages.length : 1), k.name));
  if (l.killedBase >= 0) m.cpus.forEach((c) => add(l.killedBase + c.index, 1, `${c.name}.killed`));
  if (l.dataBase >= 0) m.frames.forEach((f) => add(l.dataBase + f.index, 1, `${f.name}.data`));
  if (l.pendingBase >= 0) add(l.pendingBase, m.cpus.length ** 2 * m.pages.length, 'tlbi pending');
  if (m.relaxed) {
    const n = m.cpus.length * m.pages.length;
    add(l.earlyBase, n, 'early walk');
    add(l.huBase, n, 'hu pending');
    add(l.huValueBase, n * l.pteWidth, 'hu value');
    if (l.readBase >= 0) { add(l.readBase, n, 'early read'); add(l.readValueBase, n, 'early read value'); add(l.storeBase, n, 'store pending'); add(l.storeValueBase, n, 'store value'); }
    if (l.pteStoreBase >= 0) { add(l.pteStoreBase, n, 'pte store pending'); add(l.pteStoreValueBase, n * l.pteWidth, 'pte store value'); }
  }
  return out;
}

describe('layout', () => {
  it('gives every scalar of every bundled scenario its own slot, and uses every slot', () => {
    for (const f of bundledFiles()) {
      const ts = compileModel(modelOfFile(f));
      const s = slots(ts);
      expect(s.length, f).toBe(ts.stateSize);
      for (let i = 0; i < s.length; i++) expect(s[i], `${f} slot ${i}`).toMatch(/^(?!.* AND )./);
      expect(ts.slotRange.length).toBe(ts.stateSize);
    }
  });
});

describe('the action table', () => {
  it('numbers CPU steps first, then hardware actions rule by rule, CPU by CPU, page by page', () => {
    const ts = system(`use x86_64;
page P { present: true, pfn: F0 }
page Q { present: true, pfn: F0 }
frame F0;
disable evict;
cpu a { read P; }
cpu b { read Q; }
`);
    expect(ts.cpuActions).toBe(2);
    expect(ts.actions.map((a) => a.kind === 'cpu' ? `cpu ${a.name}` : a.name)).toEqual([
      'cpu a', 'cpu b', 'fill P on a', 'fill Q on a', 'fill P on b', 'fill Q on b',
    ]);
    ts.actions.forEach((a, i) => expect(a.index).toBe(i));
    expect(ts.hardware.every((h) => h.span.file.path.endsWith('x86_64.arch'))).toBe(true);
  });
});

describe('generated steps', () => {
  const ts = system(`use x86_64;
page P { present: true, write: true, pfn: F0 }
frame F0;
spinlock L;
int[0..3] n = 1;
cpu a { lock(L); n = n + 2; unlock(L); }
cpu b { lock(L); unlock(L); }
`);
  const nslot = ts.layout.globalSlot[ts.model.globals[0]!.id]!;
  const lockSlot = ts.layout.lockSlot[0]!;

  it('run one statement per step and move the program counter', () => {
    const s = ts.initialStates()[0]!;
    expect(s[nslot]).toBe(1);
    expect(ts.step(0, s)).toBe(OK);
    expect(s[lockSlot]).toBe(1); // held by cpu 0, stored as owner + 1
    expect(ts.step(1, s.slice())).toBe(DISABLED); // b waits for the lock
    expect(ts.step(0, s)).toBe(OK);
    expect(s[nslot]).toBe(3);
    expect(ts.step(0, s)).toBe(OK);
    expect(s[lockSlot]).toBe(0);
    expect(ts.finished(s)).toBe(false);
    expect(ts.step(1, s)).toBe(OK);
    expect(ts.step(1, s)).toBe(OK);
    expect(ts.finished(s)).toBe(true);
    expect(ts.step(0, s.slice())).toBe(DISABLED); // a finished CPU has no step
  });

  it('report a value out of range as the overflow property', () => {
    const s = ts.initialStates()[0]!;
    s[nslot] = 2;
    ts.step(0, s);
    const code = ts.step(0, s); // n = 4 does not fit int[0..3]
    expect(ts.model.properties[code - 1]!.name).toBe('overflow');
  });

  it('report a hardware step that changes nothing as disabled', () => {
    const s = ts.initialStates()[0]!;
    const fill = ts.hardware.find((h) => h.rule === 'fill')!;
    expect(ts.step(fill.index, s)).toBe(OK);
    expect(s[tlbSlot(ts.layout, 1, fill.cpu, fill.page, 0)]).toBe(1);
    expect(ts.step(fill.index, s)).toBe(DISABLED);
  });
});

describe('independence (POR)', () => {
  it('marks steps independent only when nothing else touches what they touch', () => {
    const ts = system(`use x86_64;
page P { present: true, write: true, pfn: F0 }
frame F0;
spinlock ptl;
bool mine = false;
bool shared = false;
cpu a { mine = true; lock(ptl); shared = true; unlock(ptl); }
cpu b { lock(ptl); let x = shared; unlock(ptl); write P; }
`);
    const independent = independentPoints(ts.graph, ts.layout)[0]!;
    const steps = ts.graph.cpus[0]!.points.flatMap((n) => (n ? [n] : []))
      .sort((x, y) => x.stmt.span.start - y.stmt.span.start)
      .map((n) => [n.stmt.k === 'lock' ? n.stmt.op : n.stmt.k, independent[n.pc] === true] as const);
    // 'mine' is written by a alone and read by nobody; 'shared' is read by b; the lock is b's too.
    expect(steps).toEqual([['assign', true], ['lock', false], ['assign', false], ['unlock', false]]);
  });

  it('counts what an atomic step does in its nested branches', () => {
    const ts = system(`use x86_64;
page P { present: true, write: true, pfn: F0 }
frame F0;
cpu a { let x = true; atomic { if (x) { flush(P); } } }
cpu b { write P; }
`);
    const independent = independentPoints(ts.graph, ts.layout)[0]!;
    const atomic = ts.graph.cpus[0]!.points.find((n) => n?.stmt.k === 'atomic')!;
    expect(independent[atomic.pc]).toBe(false);
  });
});
