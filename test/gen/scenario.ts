// Random small dirtyrace scenarios, as source text, for differential tests of the fast explorer
// against the reference interpreter. The arbitrary produces an abstract `ScenarioSpec` made of
// small integer selectors (so fast-check can shrink it freely); `renderScenario` turns any spec
// into text that the checker accepts: a selector that names something the scenario lacks (a lock
// when none is declared, a local when none is in scope) falls back to a statement that needs
// nothing. Every rendered scenario must check; a Diagnostic is a bug in this file.
import fc from 'fast-check';

// ---------------------------------------------------------------------------------------------
// Specs

/** A boolean condition: 1-2 atoms (picked from the pool the context offers), each maybe negated. */
export interface CondSpec {
  readonly atoms: readonly number[];
  readonly neg: readonly boolean[];
  readonly or: boolean;
}

export type StmtKind =
  | 'write' | 'read' | 'lock' | 'pteClean' | 'getClear' | 'wrprotect' | 'flush' | 'flushLocal'
  | 'update' | 'if' | 'while' | 'await' | 'assert' | 'atomic' | 'call' | 'assignCond' | 'localInt'
  | 'sendIpi' | 'awaitIpi' | 'irqToggle';

export interface StmtSpec {
  readonly k: StmtKind;
  /** Selectors: meaning depends on the kind (page, lock, global, variant). */
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly cond: CondSpec;
  readonly body: readonly StmtSpec[];
  readonly alt: readonly StmtSpec[];
}

export interface PageSpec {
  /** present, write, dirty, accessed: 0 false, 1 true, 2 any. */
  readonly flags: readonly number[];
  /** frame index, or -1 for any. */
  readonly pfn: number;
}

/** Globals of type cpu, page and frame hold names: symmetry renames CPU-valued ones. */
export type NamedType = 'cpu' | 'page' | 'frame';

export interface GlobalSpec {
  readonly type: 'bool' | 'int' | NamedType;
  readonly hi: number;
  readonly index: 'none' | 'page' | 'cpu';
  /** Initial value selector; `any` when anyInit. */
  readonly init: number;
  readonly anyInit: boolean;
  readonly ghost: boolean;
}

export interface PropSpec {
  readonly kind: 'invariant' | 'final' | 'onWrite' | 'cover';
  readonly cond: CondSpec;
}

export interface CpuSpec {
  /** 1 = `cpu c { }`, 2 = `cpu c[2] { }`. */
  readonly count: 1 | 2;
  readonly body: readonly StmtSpec[];
}

export interface ScenarioSpec {
  readonly cpus: readonly CpuSpec[];
  readonly pages: readonly PageSpec[];
  readonly frames: number;
  readonly spinlocks: number;
  /** Whether the first spinlock is per page (`spinlock ptl0[page];`). */
  readonly perPageLock: boolean;
  readonly rwsem: boolean;
  readonly globals: readonly GlobalSpec[];
  /** 0 none; 1..4 a procedure template. */
  readonly proc: number;
  /** 0 none; 1 lock/unlock (or skip); 2 make writable+present; 3 make writable only. */
  readonly writeFault: number;
  /** 0 none; 1 make present. */
  readonly readFault: number;
  readonly disableFill: boolean;
  readonly disableEvict: boolean;
  readonly props: readonly PropSpec[];
  /**
   * 0 none; 1 `interrupt I { flush_local(P0); }`; 2 the same taken only while `!ioff[self]`
   * (with `bool ioff[cpu];`); 3 a handler that also sets a global or flushes P1.
   */
  readonly interrupt: number;
  /** Index in GENERATED_ARCHS. */
  readonly arch: number;
}

/**
 * The models (and parameters) generated scenarios use: their PTE fields (present, write, dirty,
 * accessed, pfn) and helpers are common to all; the parameters that add hardware rules or entry
 * fields (a cached invalid PTE, a second translation) are on, so both engines explore them.
 */
export const GENERATED_ARCHS = [
  'x86_64', 'x86_64_pre_cet', 'x86_64_knl',
  'riscv_svade(cache_invalid = true)', 'riscv_svadu(cache_invalid = true, two_translations = true)',
  'riscv_svade(svvptc = true, two_translations = true)',
] as const;

// ---------------------------------------------------------------------------------------------
// Arbitraries

const condArb: fc.Arbitrary<CondSpec> = fc.record({
  atoms: fc.array(fc.nat(63), { minLength: 1, maxLength: 2 }),
  neg: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  or: fc.boolean(),
});

const SIMPLE_KINDS: readonly [StmtKind, number][] = [
  ['write', 6], ['read', 3], ['getClear', 1], ['wrprotect', 2], ['flush', 2], ['flushLocal', 1],
  ['update', 4], ['await', 1], ['assert', 1], ['call', 1], ['assignCond', 1], ['localInt', 1],
  ['sendIpi', 2], ['awaitIpi', 1], ['irqToggle', 1],
];
const COMPOUND_KINDS: readonly [StmtKind, number][] = [
  ['lock', 4], ['pteClean', 3], ['if', 3], ['while', 1], ['atomic', 2],
];

const sel = fc.nat(63);

const { stmt: stmtArb } = fc.letrec<{ stmt: StmtSpec; body: StmtSpec[] }>((tie) => ({
  stmt: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: fc.record({
      k: fc.oneof(...SIMPLE_KINDS.map(([k, weight]) => ({ weight, arbitrary: fc.constant(k) }))),
      a: sel, b: sel, c: sel, cond: condArb, body: fc.constant([]), alt: fc.constant([]),
    }) },
    { weight: 1, arbitrary: fc.record({
      k: fc.oneof(...COMPOUND_KINDS.map(([k, weight]) => ({ weight, arbitrary: fc.constant(k) }))),
      a: sel, b: sel, c: sel, cond: condArb,
      body: tie('body') as fc.Arbitrary<StmtSpec[]>, alt: tie('body') as fc.Arbitrary<StmtSpec[]>,
    }) },
  ) as fc.Arbitrary<StmtSpec>,
  body: fc.array(tie('stmt') as fc.Arbitrary<StmtSpec>, { maxLength: 2 }),
}));

const pageArb: fc.Arbitrary<PageSpec> = fc.record({
  // Mostly concrete: every `any` doubles the initial states.
  flags: fc.tuple(...[0, 1, 2, 3].map(() => fc.oneof({ weight: 6, arbitrary: fc.nat(1) }, { weight: 1, arbitrary: fc.constant(2) }))),
  pfn: fc.oneof({ weight: 6, arbitrary: fc.nat(1) }, { weight: 1, arbitrary: fc.constant(-1) }),
});

const globalArb: fc.Arbitrary<GlobalSpec> = fc.record({
  type: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('bool' as const, 'int' as const) },
    { weight: 2, arbitrary: fc.constantFrom('cpu' as const, 'page' as const, 'frame' as const) }),
  hi: fc.integer({ min: 1, max: 2 }),
  index: fc.oneof({ weight: 4, arbitrary: fc.constant('none' as const) }, { weight: 1, arbitrary: fc.constant('page' as const) },
    { weight: 1, arbitrary: fc.constant('cpu' as const) }),
  init: fc.nat(2),
  anyInit: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  ghost: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

const propArb: fc.Arbitrary<PropSpec> = fc.record({
  kind: fc.constantFrom('invariant' as const, 'final' as const, 'onWrite' as const, 'cover' as const),
  cond: condArb,
});

const cpuArb = (maxLength: number): fc.Arbitrary<CpuSpec> => fc.record({
  count: fc.oneof({ weight: 5, arbitrary: fc.constant(1 as const) }, { weight: 1, arbitrary: fc.constant(2 as const) }),
  body: fc.array(stmtArb, { minLength: 1, maxLength }),
});

export const scenarioSpecArb: fc.Arbitrary<ScenarioSpec> = fc.record({
  // Three CPUs cost the most to explore (above all for the reference): keep them rarer and
  // their programs shorter. (A statement may expand to several: a lock pair with its body.)
  cpus: fc.oneof(
    { weight: 3, arbitrary: fc.array(cpuArb(4), { minLength: 1, maxLength: 1 }) },
    { weight: 5, arbitrary: fc.array(cpuArb(3), { minLength: 2, maxLength: 2 }) },
    { weight: 2, arbitrary: fc.array(cpuArb(2), { minLength: 3, maxLength: 3 }) },
  ),
  pages: fc.array(pageArb, { minLength: 1, maxLength: 2 }),
  frames: fc.integer({ min: 1, max: 2 }),
  spinlocks: fc.integer({ min: 0, max: 2 }),
  perPageLock: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  rwsem: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  globals: fc.array(globalArb, { maxLength: 3 }),
  proc: fc.nat(4),
  writeFault: fc.nat(4),
  readFault: fc.nat(1),
  disableFill: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  disableEvict: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  props: fc.array(propArb, { maxLength: 3 }),
  interrupt: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 3 }) }),
  arch: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: GENERATED_ARCHS.length - 1 }) }),
});

/** Scenario texts (with the spec they came from, for reports). */
export const scenarioArb: fc.Arbitrary<{ spec: ScenarioSpec; text: string }> =
  scenarioSpecArb.map((spec) => ({ spec, text: renderScenario(spec) }));

// ---------------------------------------------------------------------------------------------
// Rendering

interface GlobalInfo extends GlobalSpec { readonly name: string }
interface LockInfo { readonly name: string; readonly perPage: boolean }

interface Decls {
  readonly pages: readonly string[];
  readonly frames: readonly string[];
  readonly spin: readonly LockInfo[];
  readonly rwsem?: string;
  readonly globals: readonly GlobalInfo[];
  /** CPU names as properties write them (`c0`, `w1[0]`, `w1[1]`). */
  readonly cpuNames: readonly string[];
  readonly proc: number;
  readonly interrupt: number;
}

/** An atom of a condition; `pte` counts the PTE loads it makes (a plain step may make one). */
interface Atom { readonly text: string; readonly pte: number }

interface Scope {
  /** Locals visible here: pte records and bools. */
  readonly pteLocals: string[];
  readonly boolLocals: string[];
  readonly intLocals: string[];
}

class Renderer {
  private fresh = 0;
  constructor(readonly d: Decls) {}

  name(prefix: string): string { return `${prefix}${this.fresh++}`; }

  pick<T>(xs: readonly T[], i: number): T | undefined { return xs.length ? xs[i % xs.length] : undefined; }
  page(i: number): string { return this.pick(this.d.pages, i)!; }

  /** A global element usable as an l-value / value from a CPU program (or, `inProgram` false, a property). */
  globalRef(g: GlobalInfo, i: number, inProgram = true): string {
    if (g.index === 'page') return `${g.name}[${this.page(i)}]`;
    if (g.index === 'cpu') return `${g.name}[${inProgram ? 'self' : this.pick(this.d.cpuNames, i)}]`;
    return g.name;
  }

  /** The names a cpu, page or frame value can take, as a CPU program or a property writes them. */
  namesOf(t: NamedType, inProgram: boolean): readonly string[] {
    return t === 'page' ? this.d.pages : t === 'frame' ? this.d.frames : inProgram ? ['self'] : this.d.cpuNames;
  }

  /** Atoms testing global element `r` of `g`; named values compare with names and with each other. */
  globalAtoms(g: GlobalInfo, r: string, inProgram: boolean, sel: number): Atom[] {
    if (g.type === 'bool') return [{ text: r, pte: 0 }];
    if (g.type === 'int') return [{ text: `${r} < ${g.hi}`, pte: 0 }, { text: `${r} == 0`, pte: 0 }];
    const t = g.type;
    const same = this.d.globals.filter((x) => x.type === t && x !== g).map((x) => this.globalRef(x, sel, inProgram));
    const out = [...this.namesOf(t, inProgram), ...same].map((n) => ({ text: `${r} == ${n}`, pte: 0 }));
    if (t === 'page') out.push({ text: `ptep_get(${r}).dirty`, pte: 1 });
    if (t === 'frame') out.push({ text: `${r}.version == 0`, pte: 0 });
    return out;
  }

  /** Condition atoms available in a CPU program with scope `sc`. */
  programAtoms(sc: Scope, sel: number): Atom[] {
    const out: Atom[] = [];
    for (const g of this.d.globals) out.push(...this.globalAtoms(g, this.globalRef(g, sel), true, sel));
    for (const v of sc.pteLocals) out.push({ text: `${v}.dirty`, pte: 0 }, { text: `pte_write(${v})`, pte: 0 });
    for (const v of sc.boolLocals) out.push({ text: v, pte: 0 });
    for (const v of sc.intLocals) out.push({ text: `${v} > 0`, pte: 0 });
    for (const p of this.d.pages) {
      out.push({ text: `ptep_get(${p}).dirty`, pte: 1 }, { text: `pte_present(ptep_get(${p}))`, pte: 1 });
    }
    out.push({ text: `tlb(self, ${this.page(sel)}).valid`, pte: 0 });
    out.push({ text: `${this.pick(this.d.frames, sel)}.version == 1`, pte: 0 });
    out.push({ text: 'true', pte: 0 });
    return out;
  }

  /** Condition atoms for `invariant` / `final` properties (and, with binders, `on write`). */
  propertyAtoms(onWrite: boolean): Atom[] {
    const out: Atom[] = [];
    for (const g of this.d.globals) {
      const refs = g.index === 'page' ? this.d.pages.map((p) => `${g.name}[${p}]`)
        : g.index === 'cpu' ? this.d.cpuNames.map((c) => `${g.name}[${c}]`) : [g.name];
      refs.forEach((r, i) => out.push(...this.globalAtoms(g, r, false, i)));
    }
    for (const p of this.d.pages) {
      out.push({ text: `ptep_get(${p}).dirty`, pte: 1 }, { text: `ptep_get(${p}).write`, pte: 1 },
        { text: `pte_present(ptep_get(${p}))`, pte: 1 }, { text: `frame_of(ptep_get(${p})) == ${this.d.frames[0]}`, pte: 1 });
      for (const c of this.d.cpuNames) {
        out.push({ text: `tlb(${c}, ${p}).valid`, pte: 0 }, { text: `tlb(${c}, ${p}).dirty`, pte: 0 });
      }
    }
    for (const f of this.d.frames) out.push({ text: `${f}.version <= 1`, pte: 0 }, { text: `${f}.version == 0`, pte: 0 });
    if (onWrite) {
      // The binders carry most of the weight: list them twice.
      const binders = [
        'ptep_get(p).dirty', 'tlb(c, p).dirty', 'tlb(c, p).write', 'f.version <= 1', `f == ${this.d.frames[0]}`,
        `p == ${this.d.pages[0]}`, `c == ${this.d.cpuNames[0]}`, 'frame_of(ptep_get(p)) == f', 'ptep_get(p).write',
      ];
      for (const b of [...binders, ...binders]) out.push({ text: b, pte: 0 });
    }
    return out;
  }

  cond(c: CondSpec, atoms: readonly Atom[], maxPte: number): { text: string; pte: number } {
    const parts: string[] = [];
    let pte = 0;
    for (let i = 0; i < c.atoms.length; i++) {
      let a = atoms[c.atoms[i]! % atoms.length]!;
      if (pte + a.pte > maxPte) a = atoms.find((x) => x.pte === 0) ?? { text: 'true', pte: 0 };
      pte += a.pte;
      parts.push(c.neg[i] ? `!${paren(a.text)}` : a.text);
    }
    const text = parts.length === 1 ? parts[0]! : parts.map(paren).join(c.or ? ' || ' : ' && ');
    return { text, pte };
  }

  // --- statements ---

  block(stmts: readonly StmtSpec[], sc: Scope, ind: string, atomic: boolean): string[] {
    const inner: Scope = { pteLocals: [...sc.pteLocals], boolLocals: [...sc.boolLocals], intLocals: [...sc.intLocals] };
    const lines = stmts.flatMap((s) => this.stmt(s, inner, ind, atomic));
    return lines.length ? lines : [`${ind}skip;`];
  }

  braces(head: string, stmts: readonly StmtSpec[], sc: Scope, ind: string, atomic: boolean): string[] {
    return [`${ind}${head} {`, ...this.block(stmts, sc, `${ind}  `, atomic), `${ind}}`];
  }

  /** A statement that needs nothing the scenario may lack. */
  fallback(s: StmtSpec, _sc: Scope, ind: string): string[] {
    const g = this.pick(this.d.globals, s.a);
    if (g) return this.update(g, s, ind);
    return s.b % 2 ? [`${ind}flush_local(${this.page(s.a)});`] : [`${ind}skip;`];
  }

  update(g: GlobalInfo, s: StmtSpec, ind: string): string[] {
    const r = this.globalRef(g, s.b);
    if (g.type === 'bool') return [`${ind}${r} = ${s.c % 3 === 0 ? 'true' : `!${r}`};`];
    if (g.type === 'int') return [`${ind}${r} = ${s.c % 3 === 0 ? '0' : `${r} + 1`};`]; // may overflow: a built-in property
    // A name, another global's value, or (frames) a PTE's frame.
    const values = [...this.namesOf(g.type, true), ...this.d.globals.filter((x) => x.type === g.type && x !== g).map((x) => this.globalRef(x, s.a))];
    if (g.type === 'frame') values.push(`frame_of(ptep_get(${this.page(s.a)}))`);
    return [`${ind}${r} = ${this.pick(values, s.c)};`];
  }

  stmt(s: StmtSpec, sc: Scope, ind: string, atomic: boolean): string[] {
    const d = this.d;
    const P = this.page(s.a);
    switch (s.k) {
      case 'write':
      case 'read':
        if (atomic) return this.fallback(s, sc, ind);
        // Some accesses are gated: the guard is tested in the access's own step.
        // ... and some must fault (`expect fault`).
        const must = s.c % 5 === 4 ? ' expect fault' : '';
        if (s.b % 4 === 3) return [`${ind}${s.k} ${P} when ${this.cond(s.cond, this.programAtoms(sc, s.c), 9).text}${must};`];
        return [`${ind}${s.k} ${P}${must};`];
      case 'getClear': {
        const v = this.name('old');
        sc.pteLocals.push(v);
        return [`${ind}let ${v} = ptep_get_and_clear(${P});`];
      }
      case 'wrprotect': return [`${ind}ptep_set_wrprotect(${P});`];
      case 'flush': return [`${ind}flush(${P}${d.pages.length > 1 && s.b % 3 === 0 ? `, ${this.page(s.a + 1)}` : ''});`];
      case 'flushLocal': return [`${ind}flush_local(${P});`];
      case 'update': {
        const g = this.pick(d.globals, s.b);
        return g ? this.update(g, s, ind) : [`${ind}skip;`];
      }
      case 'assignCond': {
        const g = this.pick(d.globals.filter((x) => x.type === 'bool'), s.b);
        const c = this.cond(s.cond, this.programAtoms(sc, s.c), atomic ? 9 : 1);
        if (g) return [`${ind}${this.globalRef(g, s.c)} = ${c.text};`];
        const v = this.name('b');
        sc.boolLocals.push(v);
        return [`${ind}let ${v} = ${c.text};`];
      }
      case 'localInt': {
        const g = this.pick(d.globals.filter((x) => x.type === 'int'), s.b);
        const v = this.name('k');
        sc.intLocals.push(v);
        if (g) return [`${ind}let ${v}: int[0..${g.hi}] = ${this.globalRef(g, s.c)};`];
        return [`${ind}let ${v}: int[0..1] = ${s.c % 2};`];
      }
      case 'sendIpi':
        if (!d.interrupt) return this.fallback(s, sc, ind);
        return [`${ind}send_ipi(I, ${s.b % 3 === 0 ? 'self' : this.pick(d.cpuNames, s.c)});`];
      case 'awaitIpi':
        // The IPI's sender waits for its delivery (a CPU that waits for its own blocks with irqs off).
        if (!d.interrupt || atomic) return this.fallback(s, sc, ind);
        return [`${ind}await(!ipi_pending(I, ${this.pick(d.cpuNames, s.c)}));`];
      case 'irqToggle':
        if (d.interrupt !== 2) return this.fallback(s, sc, ind);
        return [`${ind}ioff[self] = ${s.b % 2 ? 'true' : 'false'};`];
      case 'await': {
        if (atomic) return this.fallback(s, sc, ind);
        const c = this.cond(s.cond, this.programAtoms(sc, s.b), 1);
        // Some waits are valid end points (`end:`): a CPU blocked there counts as finished.
        return [`${ind}${s.c % 3 === 1 ? 'end: ' : ''}await(${c.text});`];
      }
      case 'assert': {
        if (atomic) return this.fallback(s, sc, ind);
        const c = this.cond(s.cond, this.programAtoms(sc, s.b), 1);
        // Named asserts may share a name (one property); unnamed ones are named by line.
        return [s.c % 3 === 2 ? `${ind}assert ${c.text};` : `${ind}assert a${s.c % 2}: ${c.text};`];
      }
      case 'call': {
        if (!d.proc || (atomic && d.proc === 3)) return this.fallback(s, sc, ind);
        const call = `probe(${P})`;
        const boolG = this.pick(d.globals.filter((x) => x.type === 'bool'), s.c);
        switch (s.c % 3) {
          case 0: { const v = this.name('r'); sc.boolLocals.push(v); return [`${ind}let ${v} = ${call};`]; }
          case 1: if (boolG) return [`${ind}${this.globalRef(boolG, s.a)} = ${call};`]; return [`${ind}${call};`];
          default: return [`${ind}${call};`];
        }
      }
      case 'lock': {
        if (atomic) return this.block([...s.body], sc, ind, atomic);
        const body = this.block(s.body, sc, `${ind}`, atomic).filter((l) => l.trim() !== 'skip;');
        const variant = s.b % 6;
        if (d.rwsem && (d.spin.length === 0 || s.c % 3 === 0)) {
          const S = d.rwsem;
          switch (variant) {
            case 0: case 1: return [`${ind}down_read(${S});`, ...body, `${ind}up_read(${S});`];
            case 2: return [`${ind}down_write(${S});`, ...body, `${ind}up_write(${S});`];
            case 3: return [`${ind}down_write(${S});`, ...body, `${ind}downgrade_write(${S});`, `${ind}up_read(${S});`];
            case 4: return [`${ind}down_read(${S});`, ...body, `${ind}up_write(${S});`]; // wrong release
            default: // recursive read acquisition, or release without holding
              if (s.c % 2) return [`${ind}down_read(${S});`, `${ind}down_read(${S});`, ...body, `${ind}up_read(${S});`, `${ind}up_read(${S});`];
              return [...body, `${ind}up_read(${S});`];
          }
        }
        if (d.spin.length === 0) return this.fallback(s, sc, ind);
        const ref = (l: LockInfo) => (l.perPage ? `${l.name}[${P}]` : l.name);
        const L = ref(this.pick(d.spin, s.c)!);
        const M = ref(this.pick(d.spin, s.c + 1)!);
        switch (variant) {
          case 0: case 1: case 2: return [`${ind}lock(${L});`, ...body, `${ind}unlock(${L});`];
          case 3: // two locks, released in the same order they were taken (or one lock twice)
            if (L === M) return [`${ind}lock(${L});`, ...body, `${ind}unlock(${L});`];
            return [`${ind}lock(${L});`, `${ind}lock(${M});`, ...body, `${ind}unlock(${L});`, `${ind}unlock(${M});`];
          case 4: return [`${ind}lock(${L});`, ...body, `${ind}unlock(${L});`, `${ind}unlock(${L});`]; // double unlock
          default: return [...body, `${ind}unlock(${L});`]; // unlock without holding
        }
      }
      case 'pteClean': {
        // let v = ptep_get(P); ...; set_pte(P, pte_mkclean(v));  (the classic lost-dirty race)
        const v = this.name('v');
        const inner: Scope = { pteLocals: [...sc.pteLocals, v], boolLocals: [...sc.boolLocals], intLocals: [...sc.intLocals] };
        const mid = s.body.flatMap((x) => this.stmt(x, inner, ind, atomic));
        const fix = ['pte_mkclean', 'pte_mkclean', 'pte_wrprotect', 'pte_mkdirty'][s.b % 4]!;
        const store = s.c % 4 === 3 ? `${v} with { present: false }` : `${fix}(${v})`;
        sc.pteLocals.push(v);
        return [`${ind}let ${v} = ptep_get(${P});`, ...mid, `${ind}set_pte(${P}, ${store});`];
      }
      case 'if': {
        const c = this.cond(s.cond, this.programAtoms(sc, s.b), atomic ? 9 : 1);
        const then = this.braces(`if (${c.text})`, s.body, sc, ind, atomic);
        if (s.alt.length === 0 && s.c % 2) return then;
        const els = this.block(s.alt, sc, `${ind}  `, atomic);
        return [...then.slice(0, -1), `${ind}} else {`, ...els, `${ind}}`];
      }
      case 'while': {
        if (atomic) return this.block([...s.body], sc, ind, atomic);
        const c = this.cond(s.cond, this.programAtoms(sc, s.b), 1);
        return this.braces(`while (${c.text}) bound ${1 + (s.c % 2)}`, s.body, sc, ind, atomic);
      }
      case 'atomic': {
        const guard = s.c % 3 === 0 && !atomic ? [`${ind}  await(${this.cond(s.cond, this.programAtoms(sc, s.b), 9).text});`] : [];
        const body = this.block(s.body, sc, `${ind}  `, true);
        return [`${ind}atomic {`, ...guard, ...body, `${ind}}`];
      }
    }
  }
}

function paren(t: string): string {
  return t.includes(' ') ? `(${t})` : t;
}

const FLAG_NAMES = ['present', 'write', 'dirty', 'accessed'] as const;

/** Procedure templates (`probe(p: page) -> bool`), by `spec.proc`. */
function procText(kind: number, d: Decls): string {
  const boolG = d.globals.find((g) => g.type === 'bool' && g.index === 'none');
  switch (kind) {
    case 1: return 'proc probe(p: page) -> bool {\n  let e = ptep_get(p);\n  return e.dirty;\n}\n';
    case 2:
      return 'proc probe(p: page) -> bool {\n  let e = ptep_get(p);\n  if (pte_dirty(e)) {\n    set_pte(p, pte_mkclean(e));\n'
        + '    return true;\n  }\n  return false;\n}\n';
    case 3: {
      // A return out of a loop: the loop counter must die with it.
      const test = boolG ? `!${boolG.name}` : 'true';
      const set = boolG ? `    ${boolG.name} = true;\n` : '';
      return `proc probe(p: page) -> bool {\n  while (${test}) bound 2 {\n    if (pte_write(ptep_get(p))) { return true; }\n${set}  }\n  return false;\n}\n`;
    }
    default:
      return 'proc probe(p: page) -> bool {\n  atomic {\n    let e = ptep_get(p);\n    set_pte(p, pte_wrprotect(e));\n'
        + '    return e.write;\n  }\n}\n';
  }
}

export function renderScenario(spec: ScenarioSpec): string {
  const pages = spec.pages.map((_, i) => `P${i}`);
  const frames = Array.from({ length: spec.frames }, (_, i) => `F${i}`);
  // At most 3 CPUs in all: a group of 2 counts as two.
  const cpus: { name: string; count: number; body: readonly StmtSpec[] }[] = [];
  let total = 0;
  spec.cpus.forEach((c, i) => {
    const count = total + c.count <= 3 ? c.count : 1;
    if (total + count > 3) return;
    total += count;
    cpus.push({ name: count > 1 ? `w${i}` : `c${i}`, count, body: c.body });
  });
  const cpuNames = cpus.flatMap((c) => (c.count > 1 ? Array.from({ length: c.count }, (_, k) => `${c.name}[${k}]`) : [c.name]));
  const spin: LockInfo[] = Array.from({ length: spec.spinlocks }, (_, i) => ({ name: `L${i}`, perPage: i === 0 && spec.perPageLock }));
  const globals: GlobalInfo[] = spec.globals.map((g, i) => ({ ...g, name: `${g.type === 'bool' ? 'g' : 'n'}${i}` }));
  const d: Decls = { pages, frames, spin, rwsem: spec.rwsem ? 'S' : undefined, globals, cpuNames, proc: spec.proc, interrupt: spec.interrupt };
  const r = new Renderer(d);

  const out: string[] = [`use ${GENERATED_ARCHS[spec.arch % GENERATED_ARCHS.length]};`, ''];
  spec.pages.forEach((p, i) => {
    const fields = p.flags.map((f, k) => `${FLAG_NAMES[k]}: ${f === 2 ? 'any' : f ? 'true' : 'false'}`);
    fields.push(`pfn: ${p.pfn < 0 ? 'any' : frames[p.pfn % frames.length]}`);
    out.push(`page ${pages[i]} { ${fields.join(', ')} }`);
  });
  out.push(`frame ${frames.join(', ')};`);
  for (const l of spin) out.push(`spinlock ${l.name}${l.perPage ? '[page]' : ''};`);
  if (d.rwsem) out.push(`rwsem ${d.rwsem};`);
  for (const g of globals) {
    const type = g.type === 'int' ? `int[0..${g.hi}]` : g.type;
    const init = g.anyInit ? 'any' : g.type === 'bool' ? (g.init % 2 ? 'true' : 'false') : g.type === 'int' ? String(g.init % (g.hi + 1))
      : r.pick(r.namesOf(g.type, false), g.init)!;
    // `page NAME = ...;` would declare a page: a plain page-typed global is written with `ghost`.
    const ghost = g.ghost || (g.type === 'page' && g.index === 'none');
    out.push(`${ghost ? 'ghost ' : ''}${type} ${g.name}${g.index === 'none' ? '' : `[${g.index}]`} = ${init};`);
  }
  if (spec.interrupt === 2) out.push('bool ioff[cpu];', 'interrupt I when !ioff[self] { flush_local(P0); }');
  else if (spec.interrupt === 1) out.push('interrupt I { flush_local(P0); }');
  else if (spec.interrupt === 3) {
    const g = globals.find((x) => x.type === 'bool' && x.index === 'none');
    out.push(`interrupt I { flush_local(${pages[pages.length - 1]}); ${g ? `${g.name} = !${g.name};` : 'flush_local_all();'} }`);
  }
  if (spec.disableFill) out.push('disable fill;');
  if (spec.disableEvict) out.push('disable evict;');
  out.push('');
  if (spec.proc) out.push(procText(spec.proc, d));

  for (const c of cpus) {
    const sc: Scope = { pteLocals: [], boolLocals: [], intLocals: [] };
    const body = c.body.flatMap((s) => r.stmt(s, sc, '  ', false));
    out.push(`cpu ${c.name}${c.count > 1 ? `[${c.count}]` : ''} {`, ...(body.length ? body : ['  skip;']), '}', '');
  }

  if (spec.writeFault === 1) {
    const L = spin.find((l) => !l.perPage);
    out.push(L ? `fault write(p) {\n  lock(${L.name});\n  unlock(${L.name});\n}` : 'fault write(p) {\n  skip;\n}');
  } else if (spec.writeFault === 2) {
    out.push('fault write(p) {\n  let e = ptep_get(p);\n  set_pte(p, pte_mkwrite(e) with { present: true });\n}');
  } else if (spec.writeFault === 3) {
    out.push('fault write(p) {\n  atomic {\n    let e = ptep_get(p);\n    if (e.present) { set_pte(p, pte_mkwrite(e)); }\n  }\n}');
  } else if (spec.writeFault === 4) {
    // A fatal fault: the writer is killed.
    out.push('fault write(p) {\n  sigsegv;\n}');
  }
  if (spec.readFault === 1) out.push(`fault read(p) {\n  set_pte(p, pte { present: true, accessed: true, pfn: ${frames[frames.length - 1]} });\n}`);

  spec.props.forEach((p, i) => {
    const atoms = r.propertyAtoms(p.kind === 'onWrite');
    const c = r.cond(p.cond, atoms, 99).text;
    if (p.kind === 'invariant') out.push(`invariant inv${i}: ${c};`);
    else if (p.kind === 'final') out.push(`final fin${i}: ${c};`);
    else if (p.kind === 'cover') out.push(`reachable cv${i}: ${c};`);
    else out.push(`on write ow${i}(c, p, f): ${c};`);
  });
  return `${out.join('\n')}\n`;
}
