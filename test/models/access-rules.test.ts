// The access rules of every architecture model against the rules as docs/semantics.md (§2-§4,
// shared/docs) writes them, transcribed here independently as one oracle per architecture. For
// each model, every (TLB entry, PTE) combination is run through the compiled model's `read P;`
// and `write P;` steps (fill and evict disabled, no fault handler: a fault is `unhandled_fault`),
// and the outcome (done / fault), the resulting PTE, the resulting TLB entry and, for a completed
// write, the frame version are compared with the oracle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { compileModel, OK, pteSlot, tlbSlot, type TransitionSystem } from '../../src/compile/index.js';
import { FINISHED } from '../../src/program/graph.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MODELS = join(ROOT, 'models');

type Rec = Record<string, number>;
type Kind = 'read' | 'write';
interface Outcome { outcome: 'done' | 'fault'; pte: Rec; tlb: Rec }
type Oracle = (kind: Kind, tlb: Rec, pte: Rec) => Outcome;

const EMPTY_TLB = (fields: readonly string[]): Rec => Object.fromEntries(fields.map((f) => [f, 0]));
const set = (r: Rec, changes: Rec): Rec => ({ ...r, ...changes });

// ---- x86-64 (semantics.md §2) ----
// Walk (empty entry): a not-present PTE faults and sets nothing; a read caches the PTE and sets A;
// a write needs W, sets A and D and caches a W=1,D=1 entry. A cached W=0 entry faults without a
// re-walk, and the fault invalidates the entry (SDM vol. 3A §4.10.4.1), so the retry walks;
// W=1,D=1 completes without touching the PTE; W=1,D=0 does the locked update: not
// present -> fault, nothing set; present, W=1 -> D set in PTE and entry; present, W=0 -> fault.
// semantics.md does not say what happens to the entry on the locked update's fault; the x86_64
// model drops it (docs/models/x86_64.md), and so does this oracle.
type X86Variant = 'base' | 'pre_cet' | 'knl';
const x86Oracle = (variant: X86Variant): Oracle => (kind, tlb, pte) => {
  const none = { valid: 0, write: 0, dirty: 0, pfn: 0 };
  const fault = (p: Rec = pte, t: Rec = tlb): Outcome => ({ outcome: 'fault', pte: p, tlb: t });
  const done = (p: Rec = pte, t: Rec = tlb): Outcome => ({ outcome: 'done', pte: p, tlb: t });
  if (!tlb.valid) {
    if (!pte.present) return fault();
    if (kind === 'read') return done(set(pte, { accessed: 1 }), { valid: 1, write: pte.write!, dirty: pte.dirty!, pfn: pte.pfn! });
    if (!pte.write) return fault();
    return done(set(pte, { accessed: 1, dirty: 1 }), { valid: 1, write: 1, dirty: 1, pfn: pte.pfn! });
  }
  if (kind === 'read') return done();
  // The page fault drops the entry for the faulting address (SDM vol. 3A §4.10.4.1).
  if (!tlb.write) return fault(pte, none);
  if (tlb.dirty) return done();
  // The locked read-modify-write.
  if (!pte.present) {
    // KNL4: A and D may be set in the not-present PTE, then fault (taken as "are set").
    return fault(variant === 'knl' ? set(pte, { accessed: 1, dirty: 1 }) : pte, none);
  }
  if (!pte.write) {
    // Pre-CET SDM note: D may be set on the W=0 PTE, then fault (taken as "is set").
    return fault(variant === 'pre_cet' ? set(pte, { dirty: 1 }) : pte, none);
  }
  return done(set(pte, { dirty: 1 }), set(tlb, { dirty: 1 }));
};

// ---- arm64 with FEAT_HAFDBS (semantics.md §3) ----
// Hardware dirty = dbm && !rdonly. A write through an entry with rdonly=0 completes without
// touching the descriptor. rdonly=1, dbm=1: atomic update of the descriptor: still valid with DBM
// -> clear AP[2] in memory and in the entry, done; otherwise fault. rdonly=1, dbm=0: permission
// fault. A walk (empty entry) is the same rule applied to the descriptor just read: invalid ->
// fault; rdonly=1, dbm=0 -> fault; otherwise AF set (hardware AF), AP[2] cleared if it was set
// (hardware dirty), entry cached writable. A faulting walk sets nothing.
const arm64Oracle: Oracle = (kind, tlb, pte) => {
  const fault = (): Outcome => ({ outcome: 'fault', pte, tlb });
  const done = (p: Rec = pte, t: Rec = tlb): Outcome => ({ outcome: 'done', pte: p, tlb: t });
  if (!tlb.valid) {
    if (!pte.valid) return fault();
    if (kind === 'read') return done(set(pte, { af: 1 }), { valid: 1, rdonly: pte.rdonly!, dbm: pte.dbm!, pfn: pte.pfn! });
    const writable = !pte.rdonly || pte.dbm;
    if (!writable) return fault();
    return done(set(pte, { af: 1, rdonly: 0 }), { valid: 1, rdonly: 0, dbm: pte.dbm!, pfn: pte.pfn! });
  }
  if (kind === 'read') return done();
  if (!tlb.rdonly) return done();
  // A Permission fault drops the entry that gave it (issue 15 §4), so the retry walks.
  if (!tlb.dbm) return { outcome: 'fault', pte, tlb: EMPTY_ARM_ENTRY };
  // A cached clean DBM entry: the dirty-state update re-walks the descriptor as it is now (herd7
  // aarch64-VMSA): invalid, or read-only without DBM, faults with the entry gone; otherwise AF is
  // set, AP[2] cleared, and the entry is the current descriptor's (its output address).
  if (!pte.valid || (pte.rdonly && !pte.dbm)) return { outcome: 'fault', pte, tlb: EMPTY_ARM_ENTRY };
  return done(set(pte, { af: 1, rdonly: 0 }), { valid: 1, rdonly: 0, dbm: pte.dbm!, pfn: pte.pfn! });
};
const EMPTY_ARM_ENTRY: Rec = { valid: 0, rdonly: 0, dbm: 0, pfn: 0 };

// ---- arm64 without FEAT_HAFDBS ----
// No hardware AF: AF=0 is an Access flag fault. No hardware dirty: AP[2]=1 is a permission fault
// for every write, DBM notwithstanding. Nothing is ever written to the descriptor.
const arm64NoHafdbsOracle: Oracle = (kind, tlb, pte) => {
  const fault = (): Outcome => ({ outcome: 'fault', pte, tlb });
  if (!tlb.valid) {
    if (!pte.valid || !pte.af) return fault();
    if (kind === 'write' && pte.rdonly) return fault();
    return { outcome: 'done', pte, tlb: { valid: 1, rdonly: pte.rdonly!, dbm: pte.dbm!, pfn: pte.pfn! } };
  }
  if (kind === 'write' && tlb.rdonly) return { outcome: 'fault', pte, tlb: EMPTY_ARM_ENTRY };
  return { outcome: 'done', pte, tlb };
};

// ---- RISC-V (semantics.md §4) ----
// Svade: an access with A=0, or a write with D=0, raises a page fault (software sets the bit);
// the hardware never writes the PTE. Cached entries carry the D they were filled with.
// A cached invalid PTE (parameter cache_invalid) faults and stays, on both RISC-V models; the
// second translation (two_translations, `other_*`) is never touched by an access.
const svadeOracle: Oracle = (kind, tlb, pte) => {
  const fault = (): Outcome => ({ outcome: 'fault', pte, tlb });
  if (tlb.valid && tlb.invalid) return fault();
  if (!tlb.valid) {
    const ok = pte.present && pte.accessed && (kind === 'read' || (pte.write && pte.dirty));
    if (!ok) return fault();
    return { outcome: 'done', pte, tlb: { valid: 1, write: pte.write!, dirty: pte.dirty!, pfn: pte.pfn! } };
  }
  if (kind === 'write' && !(tlb.write && tlb.dirty)) return fault();
  return { outcome: 'done', pte, tlb };
};
// Svadu: "When a virtual page is accessed and the A bit is clear, or is written and the D bit is
// clear, the implementation sets the corresponding bit(s) in the PTE", atomically with all the
// table-walk checks, D exactly. A walk and a write through a cached D=1 entry are x86-64's rules.
// A write through a cached W=1,D=0 entry is step 9's compare-and-update (privileged spec
// 20240411, §12.3.2): the cached PTE compared with memory, a mismatch restarting the walk, so its
// outcome is a walk of the current PTE: V=0 or W=0 faults and drops the entry; otherwise A and D
// are set and the entry is the current PTE's (its frame, not the cached one).
// Unlike x86, a RISC-V page fault invalidates nothing (the privileged spec leaves it to
// SFENCE.VMA; Linux's update_mmu_cache fences locally for that reason): a write through a cached
// read-only entry faults and the entry stays.
const svaduOracle: Oracle = (kind, tlb, pte) => {
  if (tlb.valid && tlb.invalid) return { outcome: 'fault', pte, tlb };
  if (kind === 'write' && tlb.valid && !tlb.write) return { outcome: 'fault', pte, tlb };
  if (kind === 'write' && tlb.valid && !tlb.dirty) {
    if (!pte.present || !pte.write) return { outcome: 'fault', pte, tlb: { valid: 0 } };
    return { outcome: 'done', pte: set(pte, { accessed: 1, dirty: 1 }), tlb: set(tlb, { write: 1, dirty: 1, pfn: pte.pfn! }) };
  }
  return x86Oracle('base')(kind, tlb, pte);
};

const CASES: { model: string; oracle: Oracle }[] = [
  { model: 'x86_64', oracle: x86Oracle('base') },
  { model: 'x86_64_pre_cet', oracle: x86Oracle('pre_cet') },
  { model: 'x86_64_knl', oracle: x86Oracle('knl') },
  { model: 'arm64', oracle: arm64Oracle },
  { model: 'arm64_nohafdbs', oracle: arm64NoHafdbsOracle },
  { model: 'arm64_softdirty_2017', oracle: arm64Oracle },
  { model: 'arm64_softdirty_2024', oracle: arm64Oracle },
  { model: 'riscv_svade', oracle: svadeOracle },
  { model: 'riscv_svadu', oracle: svaduOracle },
];

function compileFor(model: string): TransitionSystem {
  const text = `use ${model};\npage P { pfn: F0 }\nframe F0, F1;\ncpu r { read P; }\ncpu w { write P; }\ndisable fill;\ndisable evict;\n`;
  // The rules as the architecture writes them: under arm64's relaxed mode the same PTE write is
  // only deferred (src/compile/relaxed.ts, tested in test/explore/arm64-relaxed.test.ts).
  return compileModel(modelOf({ path: join(ROOT, 'test', 'access-rules.race'), text }, { modelDirs: [MODELS], memory: 'sc' }));
}

/** Every assignment of the fields: bools 0/1, the frame field F0/F1. */
function combos(fields: readonly { name: string; type: { k: string } }[]): Rec[] {
  let out: Rec[] = [{}];
  for (const f of fields) {
    const values = f.type.k === 'bool' || f.type.k === 'frame' ? [0, 1] : undefined;
    if (!values) throw new Error(`access-rules test: field ${f.name} of type ${f.type.k} is not enumerated`);
    out = out.flatMap((r) => values.map((v) => ({ ...r, [f.name]: v })));
  }
  return out;
}

describe.each(CASES)('access rules of $model', ({ model, oracle }) => {
  const ts = compileFor(model);
  const { layout: l, model: m } = ts;
  const pteFields = m.arch.pteFields;
  const tlbFields = m.arch.tlbFields;
  const tlbNames = tlbFields.map((f) => f.name);
  const unhandled = m.properties.findIndex((p) => p.name === 'unhandled_fault') + 1;
  const init = ts.initialStates()[0]!;
  const ptes = combos(pteFields);
  const entries = [EMPTY_TLB(tlbNames), ...combos(tlbFields.filter((f) => f.name !== 'valid')).map((t) => ({ valid: 1, ...t }))];

  const run = (kind: Kind, tlb: Rec, pte: Rec) => {
    const cpu = kind === 'read' ? 0 : 1;
    const s = new Int32Array(ts.stateSize);
    s.set(init);
    pteFields.forEach((f, i) => { s[pteSlot(l, 0, i)] = pte[f.name]!; });
    tlbFields.forEach((f, i) => { s[tlbSlot(l, 1, cpu, 0, i)] = tlb[f.name]!; });
    const r = ts.cpuStep(cpu, s);
    const outcome = r === OK ? 'done' : r === unhandled ? 'fault' : `status ${r}`;
    if (outcome === 'done') expect(s[l.cpus[cpu]!.pc]).toBe(FINISHED);
    return {
      outcome,
      pte: Object.fromEntries(pteFields.map((f, i) => [f.name, s[pteSlot(l, 0, i)]!])),
      tlb: Object.fromEntries(tlbFields.map((f, i) => [f.name, s[tlbSlot(l, 1, cpu, 0, i)]!])),
      versions: [s[l.versionBase]!, s[l.versionBase + 1]!],
    };
  };

  it.each(['read', 'write'] as const)(`%s: every (TLB entry, PTE) pair agrees with the oracle`, (kind) => {
    const mismatches: string[] = [];
    let faults = 0;
    for (const tlb of entries) {
      for (const pte of ptes) {
        const got = run(kind, tlb, pte);
        const want = oracle(kind, tlb, pte);
        // A walk's new entry names the fields it sets; the rest of the entry is zero.
        const wantTlb = want.tlb.valid ? { ...EMPTY_TLB(tlbNames), ...want.tlb } : EMPTY_TLB(tlbNames);
        const wantVersions = [0, 0];
        if (kind === 'write' && want.outcome === 'done') wantVersions[wantTlb.pfn!] = 1;
        if (want.outcome === 'fault') faults++;
        const same = got.outcome === want.outcome && JSON.stringify(got.pte) === JSON.stringify({ ...pte, ...want.pte })
          && JSON.stringify(got.tlb) === JSON.stringify(wantTlb) && got.versions.join() === wantVersions.join();
        if (!same) {
          mismatches.push(`tlb ${JSON.stringify(tlb)} pte ${JSON.stringify(pte)}: model ${JSON.stringify(got)}, oracle ${JSON.stringify({ ...want, tlb: wantTlb, versions: wantVersions })}`);
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // Both outcomes occur, so the table is not vacuous.
    expect(faults).toBeGreaterThan(0);
    expect(faults).toBeLessThan(entries.length * ptes.length);
  });
});

// One scenario runs on every model: each model defines every function and procedure the
// x86_64 model defines (the PTE layouts differ; the helpers are the portable interface).
describe('every model offers the x86_64 helper names', () => {
  const defined = (name: string): Set<string> => {
    const text = readFileSync(join(MODELS, `${name}.arch`), 'utf8');
    const base = /^arch\s+\w+\s+extends\s+(\w+)\s*;/m.exec(text)?.[1];
    const names = new Set(base ? defined(base) : []);
    for (const m of text.matchAll(/^(?:override\s+)?(?:fn|proc)\s+(\w+)/gm)) names.add(m[1]!);
    return names;
  };
  // x86-only helpers: Linux's pte_mksaveddirty / pte_clear_saveddirty (arch/x86/include/asm/
  // pgtable.h, v6.6+) move D to and from the x86 software bit SavedDirty, which no other
  // architecture has; arm64 and RISC-V do not define them, so a scenario calling them is x86-only.
  const X86_ONLY = new Set(['pte_mksaveddirty', 'pte_clear_saveddirty']);
  const x86 = defined('x86_64');
  it('the x86-only helpers are x86_64 helpers', () => {
    expect([...X86_ONLY].filter((n) => !x86.has(n))).toEqual([]);
  });
  it.each(CASES.map((c) => c.model))('%s', (model) => {
    const missing = [...x86].filter((n) => !defined(model).has(n));
    expect(missing.filter((n) => !X86_ONLY.has(n))).toEqual([]);
    // Every x86 model, variants included, has all of them.
    if (model.startsWith('x86_64')) expect(missing).toEqual([]);
  });
});
