// The check stage: a scenario's source (and the model files it uses) to a checked Model.
import type * as A from '../lang/ast.js';
import { cNameHint } from '../lang/cisms.js';
import { parseFile } from '../lang/parse.js';
import { Diagnostic, lineCol, spanText, type SourceFile, type Span } from '../lang/source.js';
import { bbmInvariant } from './bbm.js';
import { expectType, fnBody, pfnFieldIndex } from './expr.js';
import { loadScenario, readSource, type LoadOptions, type ParsedFile } from './load.js';
import {
  BUILTIN_PROPERTIES, DEFAULT_MEMORY, type Arch, type Cpu, type Field, type GlobalVar, type HardwareRule, type Interrupt, type Lock, type Model,
  type Expr, type Page, type Property, type ScalarType, type Stmt, type Type,
} from '../ir/model.js';
import type { Counts } from '../ir/types.js';
import { forEachExpr, forEachStmt, lvalueRoot, someExpr, someStmt, stmtChildren, stmtExprs, stmtTarget } from '../ir/walk.js';
import { basename } from 'node:path';
import { checkCount, MAX_CPUS, MAX_FRAMES, MAX_PAGES, MAX_STATE_PROPERTIES } from './bounds.js';
import { Allocator, Ctx, type GlobalSym, type Globals } from './scope.js';
import { checkBlock, endsInOutcome } from './stmt.js';
import { BOOL, CPU, FRAME, PAGE, constBool, constEval, constValue, didYouMean, inRange, isScalar, typeName } from './types.js';

export type CheckOptions = LoadOptions;

/** The range of frame data values when the scenario declares none (`data int[0..7];`). */
const DEFAULT_DATA = { k: 'int', lo: 0, hi: 7 } as const;

/** The checked model of the scenario in file `path` (and the model files it uses). */
export function modelOfFile(path: string, opts: CheckOptions = {}): Model {
  return modelOf(readSource(path), opts);
}

/** The checked model of a scenario's text; a located Diagnostic when it has an error. */
export function modelOf(source: SourceFile, opts: CheckOptions = {}): Model {
  const scenario: ParsedFile = { source, ast: parseFile(source) };
  const loaded = loadScenario(scenario, opts);
  const defs = collectDefinitions(loaded.arch, loaded.libraries, scenario);
  const model = buildModel(loaded.archName, loaded.arch.map((f) => f.source.path), defs, loaded.useArgs, scenario);
  // Only arm64 has a relaxed mode; x86 and RISC-V models are sequentially consistent (docs/models).
  return { ...model, relaxed: (opts.memory ?? DEFAULT_MEMORY) === 'relaxed' && model.arch.files.some((f) => basename(f) === 'arm64.arch') };
}

type Def<K extends A.Item['kind']> = A.Item & { kind: K };

interface Definitions {
  pte?: Def<'pte'>;
  tlb?: Def<'tlb'>;
  hardware: Map<string, Def<'hardware'>>;
  access: Map<string, Def<'accessRule'>>;
  fns: Map<string, Def<'fn'>>;
  procs: Map<string, Def<'proc'>>;
  params: Map<string, Def<'param'>>;
  interrupts: Map<string, { decl: Def<'interrupt'>; inScenario: boolean }>;
  /** State a library declares (globals, locks): part of the model when the scenario uses it. */
  libraryState: Map<string, Def<'var'> | Def<'lockDecl'>>;
}

const ALLOWED: Record<'arch' | 'library' | 'scenario', ReadonlySet<A.Item['kind']>> = {
  arch: new Set(['arch', 'pte', 'tlb', 'hardware', 'accessRule', 'fn', 'proc', 'param']),
  library: new Set(['library', 'use', 'fn', 'proc', 'param', 'lockDecl', 'var', 'interrupt']),
  scenario: new Set(['use', 'fn', 'proc', 'page', 'frame', 'dataDecl', 'lockDecl', 'enum', 'var', 'cpu', 'faultHandler',
    'invariant', 'final', 'reachable', 'onAccess', 'expect', 'disable', 'interrupt']),
};

const KIND_WORD: Partial<Record<A.Item['kind'], string>> = {
  accessRule: 'access rule', hardware: 'hardware rule', lockDecl: 'lock', var: 'variable',
  faultHandler: 'fault handler', interrupt: 'interrupt handler', onAccess: 'access property', reachable: 'cover goal', dataDecl: 'data declaration',
};

function collectDefinitions(arch: readonly ParsedFile[], libs: readonly ParsedFile[], scenario: ParsedFile): Definitions {
  const d: Definitions = { hardware: new Map(), access: new Map(), fns: new Map(), procs: new Map(), params: new Map(), interrupts: new Map(), libraryState: new Map() };
  const put = <K extends 'fn' | 'proc' | 'hardware' | 'accessRule'>(
    map: Map<string, Def<K>>, key: string, item: Def<K>, span: Span, mayOverride: boolean,
  ) => {
    const prev = map.get(key);
    if (prev && !item.override) {
      throw new Diagnostic(span, `'${key}' is already defined`, mayOverride ? 'write `override` in front to replace the base definition' : undefined);
    }
    if (!prev && item.override) throw new Diagnostic(span, `'${key}' overrides nothing: the base model does not define it`);
    map.set(key, item);
  };
  const visit = (file: ParsedFile, role: 'arch' | 'library' | 'scenario', isBase: boolean) => {
    for (const item of file.ast.items) {
      if (!ALLOWED[role].has(item.kind)) {
        throw new Diagnostic(item.span, `a ${KIND_WORD[item.kind] ?? item.kind} declaration does not belong in ${role === 'scenario' ? 'a scenario' : `an ${role} file`}`);
      }
      const mayOverride = role === 'arch' && !isBase;
      switch (item.kind) {
        case 'pte':
        case 'tlb':
          d[item.kind] = layoutOf(d[item.kind], item, mayOverride) as never;
          break;
        case 'hardware': put(d.hardware, item.name.name, item, item.name.span, mayOverride); break;
        case 'accessRule': put(d.access, item.access, item, item.span, mayOverride); break;
        case 'fn':
          if (d.procs.has(item.name.name)) throw new Diagnostic(item.name.span, `'${item.name.name}' is already defined as a procedure`);
          put(d.fns, item.name.name, item, item.name.span, mayOverride);
          break;
        case 'proc':
          if (d.fns.has(item.name.name)) throw new Diagnostic(item.name.span, `'${item.name.name}' is already defined as a function`);
          put(d.procs, item.name.name, item, item.name.span, mayOverride);
          break;
        case 'param':
          if (d.params.has(item.name.name)) throw new Diagnostic(item.name.span, `parameter '${item.name.name}' is already defined`);
          d.params.set(item.name.name, item);
          break;
        case 'interrupt':
          if (d.interrupts.has(item.name.name)) throw new Diagnostic(item.name.span, `interrupt handler '${item.name.name}' is already defined`);
          d.interrupts.set(item.name.name, { decl: item, inScenario: role === 'scenario' });
          break;
        case 'var':
        case 'lockDecl':
          if (role !== 'library') break;
          if (d.libraryState.has(item.name.name)) throw new Diagnostic(item.name.span, `'${item.name.name}' is already declared by a library`);
          d.libraryState.set(item.name.name, item);
          break;
        default:
      }
    }
  };
  arch.forEach((f, i) => visit(f, 'arch', i === 0));
  for (const f of libs) visit(f, 'library', true);
  visit(scenario, 'scenario', true);
  return d;
}

function scenarioItems<K extends A.Item['kind']>(s: ParsedFile, kind: K): Def<K>[] {
  return s.ast.items.filter((i): i is Def<K> => i.kind === kind);
}

function buildModel(archName: string, archFiles: string[], d: Definitions, useArgs: readonly A.UseArg[], scenario: ParsedFile): Model {
  const syms = new Map<string, GlobalSym>();
  const declaredAt = new Map<string, Span>();
  const declare = (name: A.Ident, sym: GlobalSym) => {
    const first = declaredAt.get(name.name);
    if (first) {
      // Point at the second declaration in the scenario, not at whichever kind was entered first.
      const inScenario = (sp: Span) => sp.file === scenario.source;
      const [here, there] = inScenario(first) && (!inScenario(name.span) || first.start > name.span.start) ? [first, name.span] : [name.span, first];
      const at = lineCol(there.file, there.start);
      throw new Diagnostic(here, `'${name.name}' is already declared`, `the first declaration is at ${there.file.path}:${at.line}:${at.col}`);
    }
    if (['self', 'empty', 'pte', 'tlb', 'tlbe'].includes(name.name)) throw new Diagnostic(name.span, `'${name.name}' is a reserved name`);
    syms.set(name.name, sym);
    declaredAt.set(name.name, name.span);
  };
  const enums = new Map<string, ScalarType & { k: 'enum' }>();
  for (const e of scenarioItems(scenario, 'enum')) {
    const type = { k: 'enum' as const, name: e.name.name, members: e.members.map((m) => m.name) };
    declare(e.name, { k: 'enumType', type });
    enums.set(e.name.name, type);
    e.members.forEach((m, index) => declare(m, { k: 'enumMember', type, index }));
  }
  const resolveType = (t: A.TypeExpr): Type => {
    if (t.kind === 'bool') return BOOL;
    if (t.kind === 'int') {
      if (t.lo > t.hi) throw new Diagnostic(t.span, `empty range int[${t.lo}..${t.hi}]`);
      if (t.hi - t.lo > 65535) throw new Diagnostic(t.span, 'int ranges may span at most 65536 values');
      return { k: 'int', lo: t.lo, hi: t.hi };
    }
    const n = t.name.name;
    if (n === 'page') return PAGE;
    if (n === 'frame') return FRAME;
    if (n === 'cpu') return CPU;
    if (n === 'pte' || n === 'tlbe') return { k: n };
    const e = enums.get(n);
    if (e) return e;
    throw new Diagnostic(t.span, `unknown type '${n}'`,
      cNameHint(n, 'type') ?? didYouMean(n, ['bool', 'page', 'frame', 'cpu', 'pte', 'tlbe', ...enums.keys()]));
  };
  const scalar = (t: A.TypeExpr): ScalarType => {
    const r = resolveType(t);
    if (!isScalar(r)) throw new Diagnostic(t.span, `a ${typeName(r)} cannot be stored here; use scalar types`);
    return r;
  };

  if (!d.pte || !d.tlb) throw new Diagnostic({ file: scenario.source, start: 0, end: 1 }, `architecture '${archName}' declares no ${d.pte ? 'tlb' : 'pte'} layout`);
  const pteFields = fieldsOf(d.pte.fields, scalar, 'PTE', d.pte.span);
  const tlbFields: Field[] = [{ name: 'valid', type: BOOL }, ...fieldsOf(d.tlb.fields, scalar, 'TLB entry', d.tlb.span)];

  const frames = scenarioItems(scenario, 'frame').flatMap((f) => f.names);
  frames.forEach((f, index) => declare(f, { k: 'frame', index }));
  const pageDecls = scenarioItems(scenario, 'page');
  pageDecls.forEach((p, index) => declare(p.name, { k: 'page', index }));
  const cpuDecls = scenarioItems(scenario, 'cpu');
  let cpuCount = 0;
  for (const c of cpuDecls) {
    if (c.count === undefined) declare(c.name, { k: 'cpu', index: cpuCount++ });
    else {
      if (c.count < 1 || c.count > 16) throw new Diagnostic(c.span, `a CPU group has 1 to 16 members, found ${c.count}`);
      declare(c.name, { k: 'cpuGroup', first: cpuCount, count: c.count });
      cpuCount += c.count;
    }
    checkCount(cpuCount, MAX_CPUS, c.name.span, 'CPUs');
  }
  pageDecls.forEach((p, i) => checkCount(i + 1, MAX_PAGES, p.name.span, 'pages'));
  frames.forEach((f, i) => checkCount(i + 1, MAX_FRAMES, f.span, 'frames'));
  if (cpuCount === 0) throw new Diagnostic({ file: scenario.source, start: 0, end: 1 }, 'the scenario declares no CPU: add `cpu NAME { ... }`');
  if (pageDecls.length === 0) throw new Diagnostic({ file: scenario.source, start: 0, end: 1 }, 'the scenario declares no page: add `page P { ... }`');
  if (frames.length === 0) throw new Diagnostic({ file: scenario.source, start: 0, end: 1 }, 'the scenario declares no frame: add `frame F0;`');

  const lockDecls = stateDecls(scenario, d, 'lockDecl');
  const varDecls = stateDecls(scenario, d, 'var');
  const locks: Lock[] = lockDecls.map((l, id) => {
    if (l.perPage && l.perPage.name !== 'page') throw new Diagnostic(l.perPage.span, 'locks can be declared per page only: [page]');
    const lock = { id, name: l.name.name, kind: l.lockKind, perPage: !!l.perPage, span: l.span };
    declare(l.name, { k: 'lock', lock });
    return lock;
  });
  for (const f of d.fns.values()) declare(f.name, { k: 'fn', decl: f });
  for (const p of d.procs.values()) declare(p.name, { k: 'proc', decl: p });

  const counts: Counts = { pages: pageDecls, frames, cpus: { length: cpuCount } };
  const handlers: Globals['handlers'] = {};
  for (const h of scenarioItems(scenario, 'faultHandler')) {
    if (handlers[h.access]) throw new Diagnostic(h.span, `a ${h.access} fault handler is already declared`);
    handlers[h.access] = h;
  }
  const dataDecls = scenarioItems(scenario, 'dataDecl');
  if (dataDecls.length > 1) throw new Diagnostic(dataDecls[1]!.span, 'the range of data values is already declared', 'write one `data int[LO..HI];`');
  const dataType = dataDecls[0] ? resolveType(dataDecls[0].type) : DEFAULT_DATA;
  if (dataType.k !== 'int') throw new Diagnostic(dataDecls[0]!.type.span, `frame data values are ints: write data int[LO..HI];, not ${typeName(dataType)}`);
  // An interrupt's pending flags exist only once something sends it or asks about it (and for
  // every handler the scenario itself declares), so a library's handlers cost nothing unused.
  const pendingFlags = new Map<string, GlobalVar>();
  const pendingBase = scenarioItems(scenario, 'var').length;
  const interrupt = (name: A.Ident): GlobalVar => {
    const def = d.interrupts.get(name.name);
    if (!def) throw new Diagnostic(name.span, `unknown interrupt handler '${name.name}'`, didYouMean(name.name, d.interrupts.keys()) ?? 'declare it: interrupt NAME { ... }');
    let v = pendingFlags.get(name.name);
    if (!v) {
      v = { id: pendingBase + pendingFlags.size, name: `${name.name}.pending`, type: BOOL, ghost: false, indexBy: 'cpu', init: Array(cpuCount).fill(0), span: def.decl.span };
      pendingFlags.set(name.name, v);
    }
    return v;
  };
  const g: Globals = {
    archName, archChain: archFiles.map((f) => basename(f).replace(/\.arch$/, '')), syms, pteFields, tlbFields, counts,
    maxVersion: Number.MAX_SAFE_INTEGER, dataType, resolveType, handlers, interrupt,
  };
  const ids = { next: 0 };
  const initCtx = () => new Ctx(g, 'init', new Allocator(ids));

  // Parameters: the model's default, or the value a `use` line gives.
  // A per-CPU parameter (`param bool hd[cpu]`) takes `hd = v` for every CPU and `hd[P1] = v` for one.
  const given = new Map(useArgs.filter((a) => !a.index).map((a) => [a.name.name, a]));
  const cpuOf = (a: A.UseArg): number => {
    const sym = syms.get(a.index!.name);
    if (sym?.k !== 'cpu') throw new Diagnostic(a.index!.span, `'${a.index!.name}' is not a CPU of this scenario`, sym?.k === 'cpuGroup' ? 'a per-CPU parameter is set for a single CPU (cpu NAME { ... })' : undefined);
    return sym.index;
  };
  for (const [name, p] of d.params) {
    const type = scalar(p.type);
    const arg = given.get(name);
    given.delete(name);
    const value = constOf(initCtx(), arg?.value ?? p.value, type, `parameter '${name}'`);
    if (p.perCpu && p.perCpu.name !== 'cpu') throw new Diagnostic(p.perCpu.span, `a parameter can be per CPU only: ${name}[cpu]`);
    const perCpu = p.perCpu ? Array<number>(cpuCount).fill(value) : undefined;
    for (const a of useArgs) {
      if (!a.index || a.name.name !== name) continue;
      if (!perCpu) throw new Diagnostic(a.index.span, `parameter '${name}' is one value for every CPU, not per CPU`, `write ${name} = ...`);
      perCpu[cpuOf(a)] = constOf(initCtx(), a.value, type, `parameter '${name}[${a.index.name}]'`);
    }
    declare(p.name, { k: 'param', value: { k: 'const', type, value }, perCpu });
  }
  for (const [name, a] of given) {
    throw new Diagnostic(a.name.span, `the used models have no parameter '${name}'`, didYouMean(name, d.params.keys()));
  }
  for (const a of useArgs) {
    if (a.index && !d.params.has(a.name.name)) throw new Diagnostic(a.name.span, `the used models have no parameter '${a.name.name}'`, didYouMean(a.name.name, d.params.keys()));
  }

  const globals: GlobalVar[] = varDecls.map((v, id) => {
    const type = scalar(v.type);
    if (v.indexBy && v.indexBy.name !== 'page' && v.indexBy.name !== 'cpu' && v.indexBy.name !== 'frame') {
      throw new Diagnostic(v.indexBy.span, `arrays are indexed by page, cpu or frame, not '${v.indexBy.name}'`);
    }
    const indexBy = v.indexBy?.name as 'page' | 'cpu' | 'frame' | undefined;
    const n = indexBy === 'page' ? counts.pages.length : indexBy === 'cpu' ? counts.cpus.length : indexBy === 'frame' ? frames.length : 1;
    const init = v.init?.kind === 'any' ? undefined : v.init ? constOf(initCtx(), v.init.expr, type, `initial value of '${v.name.name}'`) : 0;
    if (init === 0 && !inRange(type, 0, counts)) {
      throw new Diagnostic(v.name.span, `'${v.name.name}' needs an initial value: 0 is not in ${typeName(type)}`);
    }
    const gv: GlobalVar = { id, name: v.name.name, type, ghost: v.ghost, indexBy, init: Array(n).fill(init), span: v.span };
    declare(v.name, { k: 'global', v: gv });
    return gv;
  });

  const pages: Page[] = pageDecls.map((p, index) => {
    if (p.value) return { index, name: p.name.name, init: pageValue(initCtx(), p.name.name, p.value, archName, pteFields, counts), span: p.span };
    const init: (number | undefined)[] = pteFields.map(() => 0);
    const seen = new Set<string>();
    for (const f of p.fields) {
      const i = pteFields.findIndex((x) => x.name === f.name.name);
      if (i < 0) throw new Diagnostic(f.name.span, `${archName} PTE has no field '${f.name.name}'`, didYouMean(f.name.name, pteFields.map((x) => x.name)) ?? `its fields are ${pteFields.map((x) => x.name).join(', ')}; or write the PTE with the model's helpers, which every architecture has: page ${p.name.name} = pte_mkwrite(mk_pte(F0));`);
      if (seen.has(f.name.name)) throw new Diagnostic(f.name.span, `field '${f.name.name}' is set twice`);
      seen.add(f.name.name);
      init[i] = f.value.kind === 'any' ? undefined : constOf(initCtx(), f.value.expr, pteFields[i]!.type, `field '${f.name.name}'`);
    }
    return { index, name: p.name.name, init, span: p.span };
  });

  const allAsserts: { name: string; span: Span }[] = [];
  const cpus: Cpu[] = [];
  for (const c of cpuDecls) {
    for (let i = 0; i < (c.count ?? 1); i++) {
      const alloc = new Allocator(ids);
      const ctx = new Ctx(g, 'program', alloc);
      ctx.selfCpu = cpus.length;
      const body = checkBlock(ctx, c.body, c.span);
      for (const a of ctx.asserts) if (!allAsserts.some((x) => x.name === a.name)) allAsserts.push(a);
      cpus.push({ index: cpus.length, name: c.count === undefined ? c.name.name : `${c.name.name}[${i}]`, group: c.name.name, body, locals: alloc.locals, span: c.span });
    }
  }
  checkDetached(g, scenario);

  const rule = (body: A.Stmt[], span: Span, name: string, isAccess: boolean): HardwareRule => {
    const alloc = new Allocator(ids);
    const ctx = new Ctx(g, 'rule', alloc);
    ctx.inAtomic = true;
    ctx.inAccessRule = isAccess;
    const block = checkBlock(ctx, body, span) as Stmt & { k: 'block' };
    if (isAccess && !endsInOutcome(block.body)) {
      throw new Diagnostic(span, `access rule '${name}' may end without 'done;' or 'fault;'`, 'every path through an access rule must end in done; or fault;');
    }
    return { name, body: block, locals: alloc.locals };
  };
  const accessRule = (kind: 'read' | 'write') => {
    const r = d.access.get(kind);
    if (!r) throw new Diagnostic({ file: scenario.source, start: 0, end: 1 }, `architecture '${archName}' has no 'access ${kind}' rule`);
    return rule(r.body, r.span, kind, true);
  };
  const arch: Arch = {
    name: archName, files: archFiles, pteFields, tlbFields,
    hardware: [...d.hardware.values()].map((h) => rule(h.body, h.span, h.name.name, false)),
    access: { read: accessRule('read'), write: accessRule('write') },
    ptePfn: pfnFieldIndex(pteFields),
    tlbPfn: pfnFieldIndex(tlbFields),
  };

  const properties: Property[] = [];
  const addProperty = (p: Property, span: Span) => {
    if (properties.some((q) => q.name === p.name)) throw new Diagnostic(span, `a property named '${p.name}' already exists`);
    properties.push(p);
  };
  for (const item of scenario.ast.items) {
    if (item.kind === 'invariant' || item.kind === 'final') {
      checkCount(properties.filter((p) => p.kind === 'invariant' || p.kind === 'final').length + 1, MAX_STATE_PROPERTIES, item.name.span, 'invariant and final properties', 'join some into one with &&');
      const expr = expectType(new Ctx(g, 'property', new Allocator(ids)), item.expr, BOOL, `${item.kind} property`);
      addProperty({ kind: item.kind, name: item.name.name, expr, span: item.span }, item.name.span);
    } else if (item.kind === 'reachable') {
      const expr = expectType(new Ctx(g, 'property', new Allocator(ids)), item.expr, BOOL, 'cover goal');
      addProperty({ kind: 'cover', name: item.name.name, expr, span: item.span }, item.name.span);
    } else if (item.kind === 'onAccess') {
      const [c, p, f] = item.binders;
      const ctx = new Ctx(g, 'property', new Allocator(ids), { cpu: c.name, page: p.name, frame: f.name });
      addProperty({ kind: 'access', access: item.access, name: item.name.name, expr: expectType(ctx, item.expr, BOOL, 'access property'), span: item.span }, item.name.span);
    }
  }
  const bbmValid = d.fns.get('bbm_valid');
  if (bbmValid) {
    if (bbmValid.params.length !== 1 || bbmValid.params[0]!.type.kind !== 'named' || bbmValid.params[0]!.type.name.name !== 'pte') {
      throw new Diagnostic(bbmValid.name.span, 'bbm_valid takes one pte: fn bbm_valid(e: pte) -> bool');
    }
    const clash = properties.find((q) => q.name === 'bbm');
    if (clash?.span) throw new Diagnostic(clash.span, `'bbm' is the name of ${archName}'s built-in break-before-make invariant; choose another name`);
    properties.push(bbmInvariant(new Ctx(g, 'property', new Allocator(ids)), bbmValid, pageDecls.length, cpus.length, { pte: arch.ptePfn, tlb: arch.tlbPfn }));
  }
  for (const { decl, inScenario } of d.interrupts.values()) if (inScenario) interrupt(decl.name);
  const interrupts: Interrupt[] = [];
  // Checking a handler may use another (a handler that sends one): until none is left.
  for (let i = 0; i < pendingFlags.size; i++) {
    const [name, pending] = [...pendingFlags][i]!;
    interrupts.push(interruptOf(g, d.interrupts.get(name)!.decl, pending, ids));
  }
  for (const a of allAsserts) addProperty({ kind: 'assert', name: a.name, span: a.span }, a.span);
  for (const b of BUILTIN_PROPERTIES) {
    const clash = properties.find((q) => q.name === b);
    if (clash?.span) throw new Diagnostic(clash.span, `'${b}' is the name of a built-in property; choose another name`);
    properties.push({ kind: 'builtin', name: b });
  }

  const expects = expectsFor(scenarioItems(scenario, 'expect'), archName, (arg) => {
    const sym = syms.get(arg.name.name);
    if (sym?.k !== 'param') {
      throw new Diagnostic(arg.name.span, `architecture '${archName}' and the used libraries have no parameter '${arg.name.name}'`, didYouMean(arg.name.name, d.params.keys()));
    }
    const want = sym.value as Expr & { k: 'const' };
    if (arg.index && !sym.perCpu) throw new Diagnostic(arg.index.span, `parameter '${arg.name.name}' is not per CPU`);
    const actual = arg.index ? sym.perCpu![cpuOf(arg)]! : want.value;
    return constOf(initCtx(), arg.value, want.type, `parameter '${arg.name.name}'`) === actual;
  });
  let expectation: Model['expectation'];
  if (expects.length) {
    const holds = expects.filter((e) => !e.violated);
    if (holds.length && holds.length !== expects.length) {
      throw new Diagnostic(holds[0]!.span, `'expect holds' contradicts 'expect violated' in the same scenario${holds[0]!.on ? ` for ${archName}` : ''}`);
    }
  }
  // Every expect line names a property, including those for other architectures.
  for (const e of scenarioItems(scenario, 'expect')) {
    // `bbm` exists only under models that define bbm_valid; a line for another model may name it.
    if (e.violated && !properties.some((p) => p.name === e.violated!.name) && !(e.violated.name === 'bbm' && e.on)) {
      throw new Diagnostic(e.violated.span, `no property named '${e.violated.name}'`, didYouMean(e.violated.name, properties.map((p) => p.name)));
    }
    if (e.violated && properties.find((p) => p.name === e.violated!.name)?.kind === 'cover') {
      throw new Diagnostic(e.violated.span, `'${e.violated.name}' is a cover goal: it is reached or never reached, not violated; a goal that is never reached fails the check by itself, so drop this line`);
    }
  }
  if (expects.length) {
    expectation = { violated: expects.flatMap((e) => (e.violated ? [e.violated.name] : [])), span: expects[0]!.span };
  }
  const disabled = scenarioItems(scenario, 'disable').map((x) => {
    if (!d.hardware.has(x.name.name)) {
      throw new Diagnostic(x.name.span, `architecture '${archName}' has no hardware step '${x.name.name}'`, didYouMean(x.name.name, d.hardware.keys()) ?? `its hardware steps are ${[...d.hardware.keys()].join(', ')}`);
    }
    return x.name.name;
  });

  const maxVersion = Math.max(1, cpus.reduce((n, c) => n + writesIn(c.body), 0));
  const frameData = scenarioItems(scenario, 'frame').flatMap((f) => f.data);
  const frameList = frames.map((f, index) => {
    const init = frameData[index];
    return { index, name: f.name, data: init ? constOf(initCtx(), init, dataType, `initial data of frame '${f.name}'`) : 0 };
  });
  if (frameList.every((f) => f.data === 0) && !inRange(dataType, 0, counts)) {
    throw new Diagnostic(dataDecls[0]!.span, `frames start with data 0, which is not in ${typeName(dataType)}: give each frame its initial value (frame F0 { data: ${dataType.lo} };)`);
  }
  // Interrupt handlers run code too: a handler that reads F.data needs the data column as much as a CPU does.
  const bodies = [...cpus.map((c) => c.body), ...interrupts.map((i) => i.rule.body)];
  const usesData = frameList.some((f) => f.data !== 0)
    || bodies.some((b) => someStmt(b, (st) => (st.k === 'access' && st.data !== undefined) || stmtExprs(st).some((e) => someExpr(e, (x) => x.k === 'frameData'))))
    || properties.some((p) => 'expr' in p && someExpr(p.expr, (x) => x.k === 'frameData'));
  const usesTlbi = bodies.some((b) => someStmt(b, (st) => st.k === 'tlbi'));
  const used = stateUsed(cpus, arch, properties, interrupts);
  const inScenario = (span: Span) => span.file === scenario.source;
  return {
    file: scenario.source.path, arch, cpus, pages, frames: frameList,
    globals: renumber([...globals.filter((v) => inScenario(v.span) || used.has(v)), ...pendingFlags.values()]),
    locks: renumber(locks.filter((l) => inScenario(l.span) || used.has(l))),
    properties, expectation, interrupts, disabled, maxVersion, dataType, usesData, usesTlbi, relaxed: false,
  };
}


/**
 * Interrupt `decl` as the rule its delivery runs on CPU `self`, one step:
 * `if (pending[self] && GUARD) { pending[self] = false; BODY }`.
 */
function interruptOf(g: Globals, decl: A.Item & { kind: 'interrupt' }, pending: GlobalVar, ids: { next: number }): Interrupt {
  const alloc = new Allocator(ids);
  const ctx = new Ctx(g, 'interrupt', alloc);
  ctx.inAtomic = true;
  const mine: Expr = { k: 'global', v: pending, index: { k: 'self' } };
  const guard = decl.guard ? expectType(ctx, decl.guard, BOOL, 'interrupt guard') : undefined;
  const body = checkBlock(ctx, decl.body, decl.span);
  const base = { span: decl.span };
  const taken: Stmt = { ...base, id: alloc.stmtId(), k: 'assign', target: { k: 'global', v: pending, index: { k: 'self' } }, value: constBool(false) };
  const test: Expr = guard ? { k: 'bin', op: '&&', left: mine, right: guard } : mine;
  const then: Stmt = { ...base, id: alloc.stmtId(), k: 'block', body: [taken, body], locals: [] };
  const rule: Stmt = { ...base, id: alloc.stmtId(), k: 'if', test, then };
  return { name: decl.name.name, pending, rule: { name: decl.name.name, body: rule, locals: alloc.locals }, span: decl.span };
}

/**
 * The scenario's declarations of one kind, then the libraries' that the scenario does not
 * declare itself. A scenario may declare a library's global or lock again (to give it an initial
 * value or a narrower range, or because it was written when scenarios had to): the declaration
 * must be of the same kind and shape as the library's, and replaces it.
 */
function stateDecls<K extends 'var' | 'lockDecl'>(scenario: ParsedFile, d: Definitions, kind: K): Def<K>[] {
  const own = scenarioItems(scenario, kind);
  for (const item of own) {
    const lib = d.libraryState.get(item.name.name);
    if (lib && !sameShape(lib, item)) {
      const at = lineCol(lib.span.file, lib.span.start);
      throw new Diagnostic(item.span, `'${item.name.name}' is declared by a used library as \`${spanText(lib.span)}\` (${lib.span.file.path}:${at.line}:${at.col})`,
        'drop this line (the library declares it), or declare it the same way to set its initial value');
    }
  }
  const mine = new Set([...scenarioItems(scenario, 'var'), ...scenarioItems(scenario, 'lockDecl')].map((i) => i.name.name));
  const theirs = [...d.libraryState.values()].filter((i): i is Def<K> => i.kind === kind && !mine.has(i.name.name));
  return [...own, ...theirs];
}

/** Whether a scenario's re-declaration `mine` of a library's `lib` keeps its kind and shape (an int's range may differ). */
function sameShape(lib: Def<'var'> | Def<'lockDecl'>, mine: Def<'var'> | Def<'lockDecl'>): boolean {
  if (lib.kind === 'lockDecl' || mine.kind === 'lockDecl') {
    return lib.kind === 'lockDecl' && mine.kind === 'lockDecl' && lib.lockKind === mine.lockKind && !lib.perPage === !mine.perPage;
  }
  const t = (x: A.TypeExpr) => (x.kind === 'named' ? x.name.name : x.kind);
  return t(lib.type) === t(mine.type) && lib.indexBy?.name === mine.indexBy?.name;
}

/** The globals and locks the programs, rules and properties refer to. */
function stateUsed(cpus: readonly Cpu[], arch: Arch, properties: readonly Property[], interrupts: readonly Interrupt[]): Set<GlobalVar | Lock> {
  const used = new Set<GlobalVar | Lock>();
  const expr = (e: Expr) => { if (e.k === 'global') used.add(e.v); };
  const stmt = (s: Stmt) => forEachStmt(s, (x) => {
    if (x.k === 'lock') used.add(x.lock);
    const target = stmtTarget(x);
    if (target) { const root = lvalueRoot(target); if (root.k === 'global') used.add(root.v); }
    stmtExprs(x).forEach((e) => forEachExpr(e, expr));
  });
  cpus.forEach((c) => stmt(c.body));
  [...arch.hardware, arch.access.read, arch.access.write, ...interrupts.map((i) => i.rule)].forEach((r) => stmt(r.body));
  properties.forEach((p) => { if ('expr' in p) forEachExpr(p.expr, expr); });
  return used;
}

/** Ids are dense positions (the layout and the engines index by them): renumber after dropping unused library state. */
function renumber<T extends { readonly id: number }>(xs: T[]): T[] {
  xs.forEach((x, i) => { (x as { id: number }).id = i; });
  return xs;
}

/**
 * Fault handlers and functions are checked where they are inlined; one that no CPU reaches would
 * otherwise hide its errors. Each is checked once more on its own, in a throwaway frame, with its
 * parameters standing for unknown values (a handler's page for the first page, as at `write P;`).
 */
function checkDetached(g: Globals, scenario: ParsedFile): void {
  const scratch = () => new Ctx(g, 'program', new Allocator({ next: 0 }));
  for (const h of Object.values(g.handlers)) {
    const ctx = scratch();
    ctx.inHandler = true;
    ctx.isolated(() => {
      ctx.define(h.param, { k: 'subst', expr: { k: 'const', type: PAGE, value: 0 }, type: PAGE });
      checkBlock(ctx, h.body, h.span);
    });
  }
  for (const f of scenarioItems(scenario, 'fn')) {
    const ctx = scratch();
    ctx.isolated(() => {
      for (const p of f.params) {
        const type = g.resolveType(p.type);
        ctx.define(p.name, { k: 'subst', expr: { k: 'local', local: ctx.alloc.local(p.name.name, type) }, type });
      }
      ctx.callStack.push(f.name.name);
      ctx.inFn = f.name.name;
      fnBody(ctx, f.body, g.resolveType(f.ret), f);
    });
  }
}

/**
 * A variant (`arch V extends B;`) may declare `pte { ... }` / `tlb { ... }` again to add fields
 * after the base model's (the pre-CET shadow-stack fix needs a SavedDirty bit); record literals
 * leave the new fields 0, so the base model's rules and helpers keep their meaning.
 */
function layoutOf(base: Def<'pte' | 'tlb'> | undefined, item: Def<'pte' | 'tlb'>, isVariant: boolean): Def<'pte' | 'tlb'> {
  const what = item.kind === 'pte' ? 'PTE' : 'TLB entry';
  if (!base) return item;
  if (!isVariant) throw new Diagnostic(item.span, `the ${what} layout is already declared`);
  for (const f of item.fields) {
    if (base.fields.some((b) => b.name.name === f.name.name)) {
      throw new Diagnostic(f.name.span, `${what} field '${f.name.name}' is already declared by the base model`, 'a variant may only add new fields; rename this one');
    }
  }
  return { ...base, fields: [...base.fields, ...item.fields], span: item.span };
}

function fieldsOf(decls: readonly A.FieldDecl[], scalar: (t: A.TypeExpr) => ScalarType, what: string, span: Span): Field[] {
  const fields: Field[] = [];
  for (const f of decls) {
    if (fields.some((x) => x.name === f.name.name) || f.name.name === 'valid' && what !== 'PTE') {
      throw new Diagnostic(f.name.span, `${what} field '${f.name.name}' is declared twice${f.name.name === 'valid' ? " ('valid' is built in)" : ''}`);
    }
    fields.push({ name: f.name.name, type: scalar(f.type) });
  }
  const frames = fields.filter((f) => f.type.k === 'frame');
  if (frames.length === 0) throw new Diagnostic(span, `the ${what} must have a field of type frame (the pfn)`);
  if (frames.length > 1 && !frames.some((f) => f.name === 'pfn')) {
    throw new Diagnostic(span, `the ${what} has several fields of type frame: name the one a translation uses 'pfn'`);
  }
  return fields;
}

function constOf(ctx: Ctx, e: A.Expr, type: ScalarType, what: string): number {
  const v = constValue(expectType(ctx, e, type, what));
  if (v === undefined) throw new Diagnostic(e.span, `${what} must be a constant`);
  return v;
}

/**
 * The expect lines that apply under `archName`: of the `expect on ARCH(args)` lines naming this
 * architecture whose every argument equals the parameter's value in this check, those with the
 * most arguments (the most specific); when none applies, the lines without `on`.
 */
function expectsFor(all: Def<'expect'>[], archName: string, matches: (arg: A.UseArg) => boolean): Def<'expect'>[] {
  const keyed = all.filter((e) => e.on && e.on.name.name === archName && e.on.args.every(matches));
  if (!keyed.length) return all.filter((e) => !e.on);
  const most = Math.max(...keyed.map((e) => e.on!.args.length));
  return keyed.filter((e) => e.on!.args.length === most);
}

/**
 * `page P = EXPR;`: the initial PTE from a pte-valued expression that must be constant (built from
 * records, helpers such as mk_pte/pte_mkwrite, frames, parameters and literals; no state).
 */
function pageValue(ctx: Ctx, name: string, e: A.Expr, archName: string, pteFields: readonly Field[], counts: Counts): number[] {
  const v = constEval(expectType(ctx, e, { k: 'pte' }, `initial value of page '${name}'`));
  if (!Array.isArray(v)) {
    throw new Diagnostic(e.span, `the initial value of page '${name}' must be a constant PTE`,
      'build it from mk_pte(FRAME) and pure helpers (pte_mkwrite, pte_mkdirty, pte_mkyoung, ...); it may not read a PTE, a TLB entry or a variable');
  }
  return pteFields.map((f, i) => {
    if (!inRange(f.type, v[i]!, counts)) throw new Diagnostic(e.span, `the initial value of page '${name}' has ${f.name} = ${v[i]}, out of range for ${typeName(f.type)} under ${archName}`);
    return v[i]!;
  });
}

/** The most user writes one run of `s` can complete (loops at their bound, the larger branch of an if). */
function writesIn(s: Stmt): number {
  const inner = stmtChildren(s).map(writesIn);
  const own = s.k === 'access' && s.access === 'write' ? 1 : 0;
  if (s.k === 'if') return Math.max(0, ...inner);
  // An access's handler runs between retries and can make no access of its own.
  if (s.k === 'access') return own;
  return (s.k === 'while' ? s.bound : 1) * inner.reduce((a, b) => a + b, own);
}
