// The statement machine: one CPU step, one hardware step. A thread's continuation is an explicit
// stack of `Item`s; a step executes the top statement and then advances through control-only
// items (blocks, calls, value-less returns, drops) until the next step statement or the end.
import { is, List, Map as IMap } from 'immutable';
import { acquiresLock, fullBarrier, isAcquire, isRelease, ordersEarlierStores, ordersLaterLoads, type DataAccess, type HardwareRule, type Stmt } from '../ir/model.js';
import { earlyLoadable } from '../ir/rules.js';
import { assign, Broken, type Ctx, evalExpr, evalNum, Halt, isTrue, pendPte, setPte, setTlb, violation } from './eval.js';
import type { EarlyWalkTarget } from '../program/early-walks.js';
import type { EarlyReadTarget } from '../program/early-reads.js';
import { Item, lockIndex, pendingIndex, relaxedIndex, type State, type Tables, Thread, type Value, zeroRecord } from './state.js';

const stmtItem = (s: Stmt): Item => Item({ kind: 'stmt', id: s.id });

/** Pushes `items` so that `items[0]` ends up on top (runs first). */
function push(c: Ctx, items: readonly Item[]): void {
  c.th = c.th.update('stack', (st) => st.concat([...items].reverse()));
}

function pop(c: Ctx): Item {
  const top = c.th.stack.last();
  if (!top) throw new Error('reference: pop from an empty continuation');
  c.th = c.th.update('stack', (st) => st.pop());
  return top;
}

/** The locals statement `id` makes live; they die when its `drop` item (or the loop) goes. */
function ownedLocals(c: Ctx, id: number): number[] {
  const s = c.t.stmts.get(id)!;
  switch (s.k) {
    case 'block': case 'atomic': return s.locals.map((l) => l.id);
    case 'while': return [s.counter.id];
    default: return [];
  }
}

function drop(c: Ctx, id: number): void {
  for (const l of ownedLocals(c, id)) c.th = c.th.deleteIn(['locals', l]);
}

/** Control-only items and statements: they take no step of their own. */
function isControl(c: Ctx, it: Item): boolean {
  if (it.kind !== 'stmt') return true;
  const s = c.t.stmts.get(it.id)!;
  return s.k === 'block' || s.k === 'call' || (s.k === 'return' && !s.value);
}

/** Executes (and pops) the top item of the current thread. */
function execTop(c: Ctx): void {
  const it = pop(c);
  if (it.kind === 'drop') drop(c, it.id);
  else if (it.kind === 'stmt') execStmt(c, c.t.stmts.get(it.id)!);
  // `endCall` / `endAtomic` are only markers.
}

function execStmt(c: Ctx, s: Stmt): void {
  switch (s.k) {
    case 'block': push(c, [...s.body.map(stmtItem), Item({ kind: 'drop', id: s.id })]); return;
    case 'let': assign(c, { k: 'local', local: s.local }, evalExpr(c, s.value)); return;
    case 'assign': assign(c, s.target, evalExpr(c, s.value)); return;
    case 'setPte': execSetPte(c, evalNum(c, s.page), evalExpr(c, s.value)); return;
    case 'if': {
      const branch = isTrue(c, s.test) ? s.then : s.else;
      if (branch) push(c, [stmtItem(branch)]);
      return;
    }
    case 'while': {
      // The counter is absent (0) before the first iteration and dropped on exit.
      const n = (c.th.locals.get(s.counter.id) as number | undefined) ?? 0;
      if (!isTrue(c, s.test)) { drop(c, s.id); return; }
      if (n >= s.bound) throw violation('loop_bound');
      c.th = c.th.setIn(['locals', s.counter.id], n + 1);
      push(c, [stmtItem(s.body), stmtItem(s)]);
      return;
    }
    case 'atomic': {
      if (s.guard && !isTrue(c, s.guard)) throw new Halt('disabled');
      const base = c.th.stack.size;
      push(c, [...s.body.map(stmtItem), Item({ kind: 'drop', id: s.id }), Item({ kind: 'endAtomic', id: s.id })]);
      // Run to completion; a `return` may leave through the marker, which also ends the atomic.
      while (c.th.stack.size > base) execTop(c);
      return;
    }
    case 'lock': execLock(c, s); return;
    case 'await': if (!isTrue(c, s.test)) throw new Halt('disabled'); return;
    case 'assert': if (!isTrue(c, s.test)) c.broken!.push(s.name); return;
    case 'access': execAccess(c, s); return;
    case 'call': push(c, [stmtItem(s.body), Item({ kind: 'endCall', id: s.callId })]); return;
    case 'return': {
      const v = s.value ? evalExpr(c, s.value) : undefined;
      for (;;) {
        const it = pop(c);
        if (it.kind === 'drop') drop(c, it.id);
        else if (it.kind === 'stmt' && c.t.stmts.get(it.id)!.k === 'while') drop(c, it.id);
        else if (it.kind === 'endCall' && it.id === s.callId) break;
      }
      const target = s.target ?? c.t.calls.get(s.callId)?.target;
      if (v !== undefined && target) assign(c, target, v);
      return;
    }
    case 'flush': {
      const m = c.t.model;
      // Relaxed: the kernel's flush helpers begin with dsb(ishst): the issuer's pending PTE stores are written.
      commitPteStores(c, c.cpu);
      const pages = s.pages === 'all' ? m.pages.map((p) => p.index) : s.pages.map((e) => evalNum(c, e));
      const cpus = s.local ? [c.cpu] : m.cpus.map((x) => x.index);
      const empty = zeroRecord(m, 'tlbe');
      for (const cpu of cpus) for (const p of pages) {
        setTlb(c, cpu, p, empty);
        if (cpu !== c.cpu) endEarlyWalk(c, cpu, p);
        commitStores(c, cpu, (q) => q === p);
        markReadOf(c, cpu, p);
      }
      return;
    }
    case 'tlbi': {
      // The invalidation becomes pending on each target; tlbi_complete or a full DSB applies it.
      const m = c.t.model;
      const pages = s.pages === 'all' ? m.pages.map((p) => p.index) : s.pages.map((e) => evalNum(c, e));
      const targets = s.broadcast ? m.cpus.map((x) => x.index) : [c.cpu];
      for (const t of targets) for (const p of pages) c.st = c.st.setIn(['pending', pendingIndex(m, c.cpu, t, p)], 1);
      return;
    }
    case 'barrier': {
      const m = c.t.model;
      // Relaxed: an ISB is a context synchronization event (early walks are dropped); a full DSB
      // writes the CPU's pending hardware updates.
      if (s.op === 'isb') contextSync(c);
      // Relaxed: a barrier that keeps later loads after it ends the CPU's early reads.
      if (ordersLaterLoads(s.op, s.option)) dropReads(c);
      if (ordersEarlierStores(s.op, s.option)) { commitStores(c, c.cpu); commitPteStores(c, c.cpu); }
      if (s.op !== 'dsb' || !fullBarrier(s.option)) return;
      if (m.relaxed) for (const p of m.pages) c.st = commitUpdate(c.st, relaxedIndex(m, c.cpu, p.index), p.index);
      for (const t of m.cpus) for (const p of m.pages) {
        const at = pendingIndex(m, c.cpu, t.index, p.index);
        if (c.st.pending.get(at)) {
          c.st = c.st.setIn(['pending', at], 0);
          setTlb(c, t.index, p.index, zeroRecord(m, 'tlbe'));
          if (t.index !== c.cpu) endEarlyWalk(c, t.index, p.index);
          commitStores(c, t.index, (q) => q === p.index);
          markReadOf(c, t.index, p.index);
        }
      }
      return;
    }
    case 'skip': return;
    // A fatal fault: the rest of the program (the access being retried included) is dropped.
    case 'kill': c.th = c.th.set('stack', List()).set('killed', true); return;
    case 'done': case 'fault': throw new Error('reference: done/fault outside an access rule');
  }
}

function execLock(c: Ctx, s: Stmt & { k: 'lock' }): void {
  const idx = lockIndex(c.t, s.lock, s.page ? evalNum(c, s.page) : 0);
  const l = c.st.locks.get(idx)!;
  const me = c.cpu;
  let next = l;
  switch (s.op) {
    case 'lock': case 'down_write':
      if (l.owner !== -1 || (s.op === 'down_write' && l.readers.size > 0)) throw new Halt('disabled');
      next = l.set('owner', me);
      break;
    case 'unlock': case 'up_write':
      if (l.owner !== me) throw violation('lock_misuse');
      next = l.set('owner', -1);
      break;
    case 'down_read':
      if (l.owner !== -1) throw new Halt('disabled');
      // Readers are a set, not a count: taking a read lock already held is misuse (as in the
      // fast explorer), not a silent no-op that a later up_read would turn into a release.
      if (l.readers.has(me)) throw violation('lock_misuse');
      next = l.update('readers', (r) => r.add(me));
      break;
    case 'up_read':
      if (!l.readers.has(me)) throw violation('lock_misuse');
      next = l.update('readers', (r) => r.remove(me));
      break;
    case 'downgrade_write':
      if (l.owner !== me) throw violation('lock_misuse');
      next = l.set('owner', -1).update('readers', (r) => r.add(me));
      break;
  }
  c.st = c.st.setIn(['locks', idx], next);
  // Relaxed: taking a lock is an acquire, after which no early read may stand.
  if (acquiresLock(s.op)) dropReads(c);
  else { commitStores(c, me); commitPteStores(c, me); }
}

/**
 * Runs a hardware/access rule for (c.cpu, page) to `done`, `fault` or its end, in a throwaway
 * thread whose locals vanish afterwards. Returns the outcome and leaves the new state in `c.st`.
 */
function runRule(c: Ctx, rule: HardwareRule, page: number): 'done' | 'fault' | 'end' {
  const r: Ctx = { t: c.t, st: c.st, th: Thread({ stack: List([stmtItem(rule.body)]) }), cpu: c.cpu, page };
  let out: 'done' | 'fault' | 'end' = 'end';
  while (!r.th.stack.isEmpty()) {
    const top = r.th.stack.last()!;
    const k = top.kind === 'stmt' ? c.t.stmts.get(top.id)!.k : undefined;
    if (k === 'done' || k === 'fault') { out = k; break; }
    execTop(r);
  }
  c.st = r.st;
  return out;
}

/** Relaxed mode: the CPU's early walks and early reads are dropped (ISB, exception entry). */
function contextSync(c: Ctx): void {
  const m = c.t.model;
  if (m.relaxed) for (const p of m.pages) c.st = c.st.setIn(['early', relaxedIndex(m, c.cpu, p.index)], 0);
  dropReads(c);
}

/**
 * Relaxed mode with data: `cpu`'s pending stores for which `which(page, [frame, value])` holds
 * (all, by default) are written to memory.
 */
function commitStores(c: Ctx, cpu: number, which: (page: number, store: List<number>) => boolean = () => true): void {
  const m = c.t.model;
  if (c.st.stores.isEmpty()) return;
  for (const p of m.pages) {
    const at = relaxedIndex(m, cpu, p.index);
    const w = c.st.stores.get(at);
    if (w && which(p.index, w)) c.st = c.st.setIn(['data', w.get(0)!], w.get(1)!).setIn(['stores', at], null);
  }
}

/**
 * `set_pte(page, v)`. Relaxed mode, software on a CPU: a plain store (a step of its own) becomes
 * the CPU's pending PTE store, after its earlier one to the PTE is written; another software store
 * waits for the PTE's pending hardware updates and writes the CPU's pending store to it first.
 */
function execSetPte(c: Ctx, page: number, v: Value): void {
  const m = c.t.model;
  if (!c.st.pteStores.isEmpty() && c.cpu >= 0 && c.page < 0) {
    if (c.plainPte) {
      commitPteStores(c, c.cpu, (p) => p === page);
      pendPte(c, page, v);
      return;
    }
    if (m.cpus.some((x) => c.st.updates.get(relaxedIndex(m, x.index, page)))) throw new Halt('disabled');
    commitPteStores(c, c.cpu, (p) => p === page);
  }
  setPte(c, page, v);
}

/**
 * Relaxed mode with plain PTE stores: `cpu`'s pending PTE stores of the pages `which` selects
 * (all, by default) are written, each after the hardware updates pending on its PTE.
 */
function commitPteStores(c: Ctx, cpu: number, which: (page: number) => boolean = () => true): void {
  const m = c.t.model;
  if (c.st.pteStores.isEmpty()) return;
  for (const p of m.pages) {
    const at = relaxedIndex(m, cpu, p.index);
    const v = c.st.pteStores.get(at);
    if (!v || !which(p.index)) continue;
    for (const x of m.cpus) c.st = commitUpdate(c.st, relaxedIndex(m, x.index, p.index), p.index);
    c.st = c.st.setIn(['ptes', p.index], v).setIn(['pteStores', at], null);
  }
}

/** Relaxed mode with data: the value `cpu` reads from `frame`: its own pending store to it, else memory. */
function readData(st: State, m: Tables['model'], cpu: number, frame: number): number {
  const own = st.stores.isEmpty() ? undefined : m.pages.map((p) => st.stores.get(relaxedIndex(m, cpu, p.index))).find((w) => w && w.get(0) === frame);
  return own ? own.get(1)! : st.data.get(frame)!;
}

/** Relaxed mode: the early reads of `c.cpu` that `keep` rejects are dropped (all, by default). */
function dropReads(c: Ctx, drop: (page: number, read: List<number>) => boolean = () => true): void {
  const m = c.t.model;
  if (c.st.reads.isEmpty()) return;
  for (const p of m.pages) {
    const at = relaxedIndex(m, c.cpu, p.index);
    const r = c.st.reads.get(at);
    if (r && drop(p.index, r)) c.st = c.st.setIn(['reads', at], null);
  }
}

/**
 * Relaxed mode with data: a TLBI of `page` completed on `cpu` marks its early read of the page
 * (target negated): the CPU's accesses of the page before the load it is held for would have to
 * use the old translation too (aarch64.cat TLBI-ob), which the model does not track, so such an
 * access drops the marked read.
 */
function markReadOf(c: Ctx, cpu: number, page: number): void {
  const at = relaxedIndex(c.t.model, cpu, page);
  const r = c.st.reads.isEmpty() ? null : c.st.reads.get(at);
  if (r && r.get(2)! > 0) c.st = c.st.setIn(['reads', at, 2], -r.get(2)!);
}

/**
 * Relaxed mode: another CPU's completed invalidation of `page` ends `cpu`'s early walk of it (the
 * issuer's own early walks need an ISB).
 */
function endEarlyWalk(c: Ctx, cpu: number, page: number): void {
  if (c.t.model.relaxed) c.st = c.st.setIn(['early', relaxedIndex(c.t.model, cpu, page)], 0);
}

/** The pending hardware update at State.updates[at] (of page `page`), if any, is written. */
function commitUpdate(st: State, at: number, page: number): State {
  const v = st.updates.get(at);
  return v ? st.setIn(['ptes', page], v).setIn(['updates', at], null) : st;
}

/**
 * An architecture rule (access or hardware) for (c.cpu, page). Relaxed mode: the PTE it writes
 * is kept as a pending hardware update; while any update is pending on the PTE, a rule that
 * would write it is disabled.
 */
function runArchRule(c: Ctx, rule: HardwareRule, page: number): 'done' | 'fault' | 'end' {
  const m = c.t.model;
  const before = c.st;
  const out = runRule(c, rule, page);
  if (!m.relaxed || is(c.st.ptes.get(page), before.ptes.get(page))) return out;
  if (m.cpus.some((x) => before.updates.get(relaxedIndex(m, x.index, page)))) throw new Halt('disabled');
  c.st = c.st.setIn(['updates', relaxedIndex(m, c.cpu, page)], c.st.ptes.get(page)!).setIn(['ptes', page], before.ptes.get(page)!);
  return out;
}

function execAccess(c: Ctx, s: Stmt & { k: 'access' }): void {
  const m = c.t.model;
  if (s.guard && !isTrue(c, s.guard)) throw new Halt('disabled');
  const page = evalNum(c, s.page);
  // Relaxed: a plain load whose early read the CPU holds for it completes with it, without walking.
  const early = earlyLoadable(s) && !c.st.reads.isEmpty() ? c.st.reads.get(relaxedIndex(m, c.cpu, page)) : null;
  if (early && s.data?.op === 'load' && Math.abs(early.get(2)!) === targetOf(c, s.id)) {
    const [frame, value] = [early.get(0)!, early.get(1)!];
    dropReads(c, (_p, r) => r.get(0) === frame);
    assign(c, s.data.into, value);
    checkAccess(c, s, page, frame);
    return;
  }
  // Relaxed: a fault an early walk holds for this access is taken without walking.
  const held = m.relaxed && targetOf(c, s.id) === c.st.early.get(relaxedIndex(m, c.cpu, page));
  const out = held ? 'fault' : runArchRule(c, m.arch.access[s.access], page);
  if (out === 'end') throw new Error(`reference: access ${s.access} rule ended without done/fault`);
  if (out === 'fault') {
    contextSync(c); // exception entry
    if (!s.handler) throw violation('unhandled_fault');
    // The handler (its page parameter is substituted by the checker), then the access again.
    push(c, [stmtItem(s.handler), stmtItem(s)]);
    return;
  }
  // Relaxed: a release or an acquire writes the CPU's pending PTE stores first (its data stores: execData).
  if (isAcquire(s.order) || isRelease(s.order)) commitPteStores(c, c.cpu);
  const entry = c.st.tlbs.get(c.cpu)!.get(page)!;
  if (entry.get(0) === 0) throw violation('no_translation');
  const frame = entry.get(m.arch.tlbPfn)!;
  if (s.access === 'write') {
    const v = c.st.versions.get(frame)! + 1;
    if (v > m.maxVersion) throw violation('overflow');
    c.st = c.st.setIn(['versions', frame], v);
  }
  if (s.data) execData(c, s, s.data, page, frame);
  // Relaxed: with data, the CPU's early reads of the frame are dropped (coherence); after an
  // acquire, every one; a read of the page held across a completed TLBI too (markReadOf).
  dropReads(c, (p, r) => (s.data !== undefined && r.get(0) === frame) || isAcquire(s.order) || (p === page && r.get(2)! < 0));
  checkAccess(c, s, page, frame);
}

/** Relaxed mode: the early-walk (and early-read) target number of CPU c.cpu's access `id` (src/program/early-walks.ts). */
function targetOf(c: Ctx, id: number): number | undefined {
  return c.t.walkTargets[c.cpu]!.find((t) => t.id === id)?.index;
}

/** The access completed: every access property it breaks is recorded, and the CPU goes on. */
function checkAccess(c: Ctx, s: Stmt & { k: 'access' }, page: number, frame: number): void {
  const m = c.t.model;
  const probe: Ctx = { t: c.t, st: c.st, th: Thread(), cpu: -1, page: -1, access: { cpu: c.cpu, page, frame } };
  for (const p of m.properties) if (p.kind === 'access' && p.access === s.access && !isTrue(probe, p.expr)) c.broken!.push(p.name);
  if (s.expectFault) c.broken!.push(s.expectFault);
}

/**
 * The data part of a completed access through `page`, on `frame`. Relaxed mode with data: a load
 * reads the CPU's own pending store first; a store becomes pending (the CPU's pending store to
 * the frame or through the page is written first, all of them for a release); an atomic writes
 * the CPU's pending stores to the frame first; an acquire or a release writes all of them first.
 */
function execData(c: Ctx, s: Stmt & { k: 'access' }, d: DataAccess, page: number, frame: number): void {
  const m = c.t.model;
  const dt = m.dataType;
  const check = (v: number) => { if (v < dt.lo || v > dt.hi) throw violation('overflow'); return v; };
  const [release, acquire] = [isRelease(s.order), isAcquire(s.order)];
  if (d.op === 'load') {
    if (acquire) commitStores(c, c.cpu);
    assign(c, d.into, readData(c.st, m, c.cpu, frame));
    return;
  }
  if (!c.st.stores.isEmpty() && d.op === 'store') {
    const v = check(evalNum(c, d.value));
    commitStores(c, c.cpu, (p, w) => release || p === page || w.get(0) === frame);
    c.st = c.st.setIn(['stores', relaxedIndex(m, c.cpu, page)], List([frame, v]));
    return;
  }
  commitStores(c, c.cpu, (_p, w) => release || acquire || w.get(0) === frame);
  const old = c.st.data.get(frame)!;
  const put = (v: number) => { c.st = c.st.setIn(['data', frame], check(v)); };
  switch (d.op) {
    case 'store': put(evalNum(c, d.value)); return;
    case 'swap': put(evalNum(c, d.value)); assign(c, d.into, old); return;
    case 'cas': if (old === evalNum(c, d.expected)) put(evalNum(c, d.value)); assign(c, d.into, old); return;
  }
}

/** The built-in hardware step tlbi_complete on (cpu, page): pending invalidations take effect. */
export function tlbiCompleteStep(t: Tables, st: State, cpu: number, page: number): State | Halt {
  const m = t.model;
  const flags = m.cpus.map((i) => pendingIndex(m, i.index, cpu, page));
  if (!flags.some((f) => st.pending.get(f))) return new Halt('disabled');
  const c: Ctx = { t, st, th: Thread(), cpu, page: -1 };
  if (m.cpus.some((i) => i.index !== cpu && st.pending.get(pendingIndex(m, i.index, cpu, page)))) endEarlyWalk(c, cpu, page);
  for (const f of flags) c.st = c.st.setIn(['pending', f], 0);
  setTlb(c, cpu, page, zeroRecord(m, 'tlbe'));
  commitStores(c, cpu, (p) => p === page);
  markReadOf(c, cpu, page);
  return c.st;
}

/** Relaxed mode, hardware step hu_commit on (cpu, page): a pending update is written. */
export function huCommitStep(t: Tables, st: State, cpu: number, page: number): State | Halt {
  const at = relaxedIndex(t.model, cpu, page);
  return st.updates.get(at) ? commitUpdate(st, at, page) : new Halt('disabled');
}

/**
 * Relaxed mode, hardware step walk_early on (cpu, page) for `target`: its walk now, without the
 * CPU's TLB entry; if it faults, the fault is held for the target. Disabled when the CPU holds
 * an early walk of the page already or the target is not ahead of it.
 */
export function walkEarlyStep(t: Tables, st: State, cpu: number, page: number, target: EarlyWalkTarget): State | Halt {
  const m = t.model;
  const at = relaxedIndex(m, cpu, page);
  const top = st.cpus.get(cpu)!.stack.last();
  if (st.early.get(at) || top?.kind !== 'stmt' || !target.from.has(top.id)) return new Halt('disabled');
  const probe = st.setIn(['tlbs', cpu, page], zeroRecord(m, 'tlbe'));
  const faults = (rule: HardwareRule): boolean => {
    try {
      return runRule({ t, st: probe, th: Thread(), cpu, page: -1 }, rule, page) === 'fault';
    } catch (e) {
      if (e instanceof Halt) return false;
      throw e;
    }
  };
  return faults(m.arch.access[target.access]) ? st.setIn(['early', at], target.index) : new Halt('disabled');
}

/**
 * Relaxed mode with data, hardware step read_early on (cpu, page) for `target` (one of the CPU's
 * plain loads of the page): it is performed now (its access rule as the CPU runs it) and its
 * frame and value held for it. Disabled when an early read of the page is held already, the
 * target is not ahead of the CPU (`target.from`; undefined: anywhere), an early walk is held for
 * the target, or the access would not complete.
 */
export function readEarlyStep(t: Tables, st: State, cpu: number, page: number, target: EarlyReadTarget): State | Halt {
  const m = t.model;
  const at = relaxedIndex(m, cpu, page);
  const top = st.cpus.get(cpu)!.stack.last();
  if (st.reads.get(at) || top?.kind !== 'stmt' || (target.from && !target.from.has(top.id))) return new Halt('disabled');
  // An early walk held for the target: that load faults (walk_early's).
  if (st.early.get(at) === target.index) return new Halt('disabled');
  const c: Ctx = { t, st, th: Thread(), cpu, page: -1 };
  try {
    if (runArchRule(c, m.arch.access.read, page) !== 'done') return new Halt('disabled');
  } catch (e) {
    if (e instanceof Halt) return new Halt('disabled');
    throw e;
  }
  const entry = c.st.tlbs.get(cpu)!.get(page)!;
  if (entry.get(0) === 0) return new Halt('disabled');
  const frame = entry.get(m.arch.tlbPfn)!;
  return c.st.setIn(['reads', at], List([frame, readData(c.st, m, cpu, frame), target.index]));
}

/** Relaxed mode with data, hardware step store_commit on (cpu, page): a pending store is written. */
export function storeCommitStep(t: Tables, st: State, cpu: number, page: number): State | Halt {
  if (!st.stores.get(relaxedIndex(t.model, cpu, page))) return new Halt('disabled');
  const c: Ctx = { t, st, th: Thread(), cpu, page: -1 };
  commitStores(c, cpu, (p) => p === page);
  return c.st;
}

/** Relaxed mode, hardware step pte_commit on (cpu, page): a pending PTE store is written. */
export function pteCommitStep(t: Tables, st: State, cpu: number, page: number): State | Halt {
  if (!st.pteStores.get(relaxedIndex(t.model, cpu, page))) return new Halt('disabled');
  const c: Ctx = { t, st, th: Thread(), cpu, page: -1 };
  commitPteStores(c, cpu, (p) => p === page);
  return c.st;
}

/** Advances through control-only items so the top is a step statement (or the CPU is done). */
function settle(c: Ctx): void {
  while (!c.th.stack.isEmpty() && isControl(c, c.th.stack.last()!)) execTop(c);
  // A finished CPU has no live locals (covers top-level lets outside any block).
  if (c.th.stack.isEmpty()) c.th = c.th.set('locals', IMap());
}

export type StepResult = State | Halt | Broken;

/** CPU `cpu`'s next step from `st`, or `undefined` if it has finished. */
export function cpuStep(t: Tables, st: State, cpu: number): StepResult | undefined {
  const th = st.cpus.get(cpu)!;
  if (th.stack.isEmpty()) return undefined;
  const top = th.stack.last()!;
  const c: Ctx = { t, st, th, cpu, page: -1, broken: [], plainPte: top.kind === 'stmt' && t.stmts.get(top.id)!.k === 'setPte' };
  try {
    execTop(c);
    settle(c);
  } catch (e) {
    if (e instanceof Halt) return e;
    throw e;
  }
  const next = c.st.setIn(['cpus', cpu], c.th);
  return c.broken!.length ? new Broken(next, c.broken!) : next;
}

export function hardwareStep(t: Tables, st: State, rule: HardwareRule, cpu: number, page: number): State | Halt {
  const c: Ctx = { t, st, th: Thread(), cpu, page: -1 };
  try {
    // An interrupt delivery (page -1) is software; an architecture rule may make a hardware update.
    if (page >= 0) runArchRule(c, rule, page); else runRule(c, rule, page);
  } catch (e) {
    if (e instanceof Halt) return e;
    throw e;
  }
  return c.st;
}

/** Initial states start every CPU at its first step statement. */
export function settleAll(t: Tables, st: State): State {
  return st.update('cpus', (cpus) => cpus.map((th, cpu) => {
    const c: Ctx = { t, st, th, cpu, page: -1 };
    settle(c);
    return c.th;
  }));
}

/** Every CPU has finished, or waits at a valid end point (`end...:`) whose step is disabled. */
export function finished(t: Tables, st: State): boolean {
  // Relaxed: a hardware update or a store still to be written is part of the execution.
  if ([st.updates, st.stores, st.pteStores].some((xs) => xs.some((x) => x !== null))) return false;
  return st.cpus.every((th, cpu) => {
    if (th.stack.isEmpty()) return true;
    const top = th.stack.last()!;
    if (top.kind !== 'stmt' || !t.stmts.get(top.id)!.validEnd) return false;
    const r = cpuStep(t, st, cpu);
    return r instanceof Halt && r.kind === 'disabled';
  });
}
