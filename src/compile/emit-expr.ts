// Typed expressions to JavaScript expression text over the state vector `s`. Only numbers (slot
// indexes, constants) are ever written into the code; user names never are. Records are
// flattened: a record expression becomes one expression per field.
import type { Expr, Local, Model } from '../ir/model.js';
import { slotWidth } from '../ir/types.js';
import { pteSlot, pteStoreSlot, pteStoreValueSlot, tlbSlot, type Layout } from './layout.js';

/** Where a local lives: a state slot (CPU programs) or a JS variable (hardware rules). */
export type LocalHome = { kind: 'slot'; at: number } | { kind: 'var'; name: string };

export interface EmitEnv {
  readonly m: Model;
  readonly l: Layout;
  /** The running CPU, or -1 in properties. */
  readonly cpu: number;
  /** The page a hardware or access rule runs for. */
  readonly rulePage?: number;
  local(local: Local): LocalHome;
  /** JS names holding the completed access in access properties: [cpu, page, frame]. */
  readonly access?: readonly [string, string, string];
  /** Software on `cpu` (its program, an interrupt handler): a PTE read sees its own pending PTE store. */
  readonly ownPte?: boolean;
}

function slot(base: number, dynamic?: string, stride = 1): string {
  return dynamic === undefined ? `s[${base}]` : `s[${base} + (${dynamic}) * ${stride}]`;
}

/** A constant index folded into the slot number, or the JS text computing it. */
function indexOf(env: EmitEnv, e: Expr): { value?: number; text: string } {
  if (e.k === 'const') return { value: e.value, text: String(e.value) };
  if (e.k === 'self' && env.cpu >= 0) return { value: env.cpu, text: String(env.cpu) };
  return { text: scalar(env, e) };
}

export function scalar(env: EmitEnv, e: Expr): string {
  switch (e.k) {
    case 'const': return String(e.value);
    case 'self': return String(env.cpu);
    case 'accessCpu': return env.access![0];
    case 'accessPage': return env.access![1];
    case 'accessFrame': return env.access![2];
    case 'local': {
      const home = env.local(e.local);
      return home.kind === 'slot' ? `s[${home.at}]` : `${home.name}_0`;
    }
    case 'global': {
      const base = env.l.globalSlot[e.v.id]!;
      if (!e.index) return `s[${base}]`;
      const i = indexOf(env, e.index);
      return i.value !== undefined ? `s[${base + i.value}]` : slot(base, i.text);
    }
    case 'frameVersion':
    case 'frameFreed': {
      const base = e.k === 'frameVersion' ? env.l.versionBase : env.l.freedBase;
      const i = indexOf(env, e.frame);
      return i.value !== undefined ? `s[${base + i.value}]` : slot(base, i.text);
    }
    case 'frameData': {
      // Reading s[-1 + f] would be undefined, a silent wrong value: the checker must have set usesData.
      if (env.l.dataBase < 0) throw new Error('internal: frame data is read but the model has no data slots (usesData is false)');
      const i = indexOf(env, e.frame);
      return i.value !== undefined ? `s[${env.l.dataBase + i.value}]` : slot(env.l.dataBase, i.text);
    }
    case 'cpuTable': {
      const i = indexOf(env, e.cpu);
      return i.value !== undefined ? String(e.values[i.value]) : `[${e.values.join(', ')}][${i.text}]`;
    }
    case 'killed': {
      if (env.l.killedBase < 0) return '0';
      const i = indexOf(env, e.cpu);
      return i.value !== undefined ? `s[${env.l.killedBase + i.value}]` : slot(env.l.killedBase, i.text);
    }
    case 'field': return record(env, e.target)[e.index]!;
    case 'not': return `(${scalar(env, e.arg)} ? 0 : 1)`;
    case 'neg': return `(-(${scalar(env, e.arg)}))`; // `(--2)` would not parse
    case 'ite': return `(${scalar(env, e.test)} ? ${scalar(env, e.then)} : ${scalar(env, e.else)})`;
    case 'bin': {
      if (e.rec) {
        const a = record(env, e.left);
        const b = record(env, e.right);
        const eq = a.map((x, i) => `${x} === ${b[i]}`).join(' && ');
        return e.op === '==' ? `(${eq} ? 1 : 0)` : `(${eq} ? 0 : 1)`;
      }
      const a = scalar(env, e.left);
      const b = scalar(env, e.right);
      switch (e.op) {
        case '&&': return `(${a} && ${b} ? 1 : 0)`;
        case '||': return `(${a} || ${b} ? 1 : 0)`;
        case '==': return `(${a} === ${b} ? 1 : 0)`;
        case '!=': return `(${a} !== ${b} ? 1 : 0)`;
        case '+': return `(${a} + ${b})`;
        case '-': return `(${a} - ${b})`;
        default: return `(${a} ${e.op} ${b} ? 1 : 0)`;
      }
    }
    case 'record': case 'pteOf': case 'tlbOf': case 'with': case 'rulePte': case 'ruleTlb': throw new Error(`internal: ${e.k} is not a scalar expression`);
  }
}

/** One JS expression per field of a record-valued expression. */
export function record(env: EmitEnv, e: Expr): string[] {
  const { l, m } = env;
  switch (e.k) {
    case 'record': return e.fields.map((f) => scalar(env, f));
    case 'with': {
      const fields = record(env, e.target);
      for (const [i, v] of e.sets) fields[i] = scalar(env, v);
      return fields;
    }
    case 'ite': {
      const t = scalar(env, e.test);
      const b = record(env, e.else);
      return record(env, e.then).map((a, i) => `(${t} ? ${a} : ${b[i]})`);
    }
    case 'local': {
      const home = env.local(e.local);
      const w = slotWidth(m.arch, e.local.type);
      return Array.from({ length: w }, (_, i) => (home.kind === 'slot' ? `s[${home.at + i}]` : `${home.name}_${i}`));
    }
    case 'pteOf': {
      const p = indexOf(env, e.page);
      return pteFields(env, p.value ?? p.text);
    }
    case 'tlbOf': {
      const c = indexOf(env, e.cpu);
      const p = indexOf(env, e.page);
      const n = m.pages.length;
      return Array.from({ length: l.tlbWidth }, (_, f) =>
        c.value !== undefined && p.value !== undefined
          ? `s[${tlbSlot(l, n, c.value, p.value, f)}]`
          : `s[${l.tlbBase + f} + ((${c.text}) * ${n} + (${p.text})) * ${l.tlbWidth}]`);
    }
    case 'rulePte': return Array.from({ length: l.pteWidth }, (_, f) => `s[${pteSlot(l, env.rulePage!, f)}]`);
    case 'ruleTlb': return Array.from({ length: l.tlbWidth }, (_, f) => `s[${tlbSlot(l, m.pages.length, env.cpu, env.rulePage!, f)}]`);
    case 'const': case 'global': case 'self': case 'frameVersion': case 'frameFreed': case 'frameData': case 'cpuTable': case 'killed': case 'field': case 'not': case 'neg': case 'bin': case 'accessCpu': case 'accessPage': case 'accessFrame': throw new Error(`internal: ${e.k} is not a record expression`);
  }
}

/**
 * The fields of the PTE of page `page` (a number or JS expression): memory, or for software on
 * env.cpu its own pending store to it first (relaxed mode).
 */
function pteFields(env: EmitEnv, page: number | string): string[] {
  const { m, l, cpu } = env;
  const np = m.pages.length;
  const mem = (f: number) => (typeof page === 'number' ? `s[${pteSlot(l, page, f)}]` : `s[${l.pteBase + f} + (${page}) * ${l.pteWidth}]`);
  if (!env.ownPte || l.pteStoreBase < 0) return Array.from({ length: l.pteWidth }, (_, f) => f).map(mem);
  const flag = typeof page === 'number' ? `s[${pteStoreSlot(l, np, cpu, page)}]` : `s[${pteStoreSlot(l, np, cpu, 0)} + (${page})]`;
  const own = (f: number) => (typeof page === 'number' ? `s[${pteStoreValueSlot(l, np, cpu, page, f)}]` : `s[${pteStoreValueSlot(l, np, cpu, 0, f)} + (${page}) * ${l.pteWidth}]`);
  return Array.from({ length: l.pteWidth }, (_, f) => f).map((f) => `(${flag} ? ${own(f)} : ${mem(f)})`);
}
