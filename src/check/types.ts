// Type names for messages, compatibility, and constant folding over checked expressions.
import type { Expr, ScalarType, Type } from '../ir/model.js';
import { valueRange, type Counts } from '../ir/types.js';

export const BOOL: ScalarType = { k: 'bool' };
export const PAGE: ScalarType = { k: 'page' };
export const FRAME: ScalarType = { k: 'frame' };
export const CPU: ScalarType = { k: 'cpu' };

export function typeName(t: Type | { k: 'void' }): string {
  switch (t.k) {
    case 'int': return `int[${t.lo}..${t.hi}]`;
    case 'enum': return t.name;
    default: return t.k;
  }
}

/** Whether a value of type `from` may be stored where `to` is expected (ranges are checked at run time). */
export function assignable(to: Type, from: Type): boolean {
  if (to.k === 'int') return from.k === 'int';
  if (to.k === 'enum') return from.k === 'enum' && from.name === to.name;
  return to.k === from.k;
}

export function isScalar(t: Type): t is ScalarType {
  return t.k !== 'pte' && t.k !== 'tlbe';
}

export function constInt(value: number): Expr {
  return { k: 'const', type: { k: 'int', lo: value, hi: value }, value };
}

export function constBool(value: boolean): Expr {
  return { k: 'const', type: BOOL, value: value ? 1 : 0 };
}

/** The value of an expression built only from constants, or undefined. */
export function constValue(e: Expr): number | undefined {
  switch (e.k) {
    case 'const': return e.value;
    case 'not': { const a = constValue(e.arg); return a === undefined ? undefined : a ? 0 : 1; }
    case 'neg': { const a = constValue(e.arg); return a === undefined ? undefined : -a; }
    case 'bin': {
      if (e.rec) return undefined;
      const l = constValue(e.left);
      const r = constValue(e.right);
      if (l === undefined || r === undefined) return undefined;
      switch (e.op) {
        case '+': return l + r;
        case '-': return l - r;
        case '&&': return l && r ? 1 : 0;
        case '||': return l || r ? 1 : 0;
        case '==': return l === r ? 1 : 0;
        case '!=': return l !== r ? 1 : 0;
        case '<': return l < r ? 1 : 0;
        case '<=': return l <= r ? 1 : 0;
        case '>': return l > r ? 1 : 0;
        case '>=': return l >= r ? 1 : 0;
      }
      return undefined;
    }
    case 'ite': {
      const t = constValue(e.test);
      if (t === undefined) return undefined;
      return constValue(t ? e.then : e.else);
    }
    default: return undefined;
  }
}

/**
 * The value of a constant expression of any type: a number for a scalar, the field values for a
 * pte or tlbe record (record, with, field, ite, ==/!= over records, and the scalar operators);
 * undefined when the expression reads state (a PTE, a TLB entry, a global, a local, self, ...).
 */
export function constEval(e: Expr): number | readonly number[] | undefined {
  const scalar = (x: Expr): number | undefined => {
    const v = constEval(x);
    return typeof v === 'number' ? v : undefined;
  };
  const record = (x: Expr): readonly number[] | undefined => {
    const v = constEval(x);
    return Array.isArray(v) ? v : undefined;
  };
  switch (e.k) {
    case 'const': return e.value;
    case 'record': {
      const out: number[] = [];
      for (const f of e.fields) {
        const v = scalar(f);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    case 'with': {
      const base = record(e.target);
      if (!base) return undefined;
      const out = [...base];
      for (const [i, x] of e.sets) {
        const v = scalar(x);
        if (v === undefined) return undefined;
        out[i] = v;
      }
      return out;
    }
    case 'field': return record(e.target)?.[e.index];
    case 'ite': {
      const t = scalar(e.test);
      return t === undefined ? undefined : constEval(t ? e.then : e.else);
    }
    case 'not': { const a = scalar(e.arg); return a === undefined ? undefined : a ? 0 : 1; }
    case 'neg': { const a = scalar(e.arg); return a === undefined ? undefined : -a; }
    case 'bin': {
      if (e.rec) {
        const l = record(e.left);
        const r = record(e.right);
        if (!l || !r) return undefined;
        const same = l.length === r.length && l.every((v, i) => v === r[i]);
        return (e.op === '==') === same ? 1 : 0;
      }
      const l = scalar(e.left);
      const r = scalar(e.right);
      if (l === undefined || r === undefined) return undefined;
      return constValue({ ...e, left: { k: 'const', type: BOOL, value: l }, right: { k: 'const', type: BOOL, value: r } });
    }
    default: return undefined;
  }
}

/** Whether `value` lies in the domain of a scalar type for a model of the given sizes. */
export function inRange(t: ScalarType, value: number, sizes: Counts): boolean {
  const [lo, hi] = valueRange(t, sizes);
  return value >= lo && value <= hi;
}

/** Edit distance counting a swap of two adjacent letters as one edit (a typo's commonest form). */
export function editDistance(a: string, b: string): number {
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD && !wordsAddedTo(name, c)) { best = c; bestD = d; }
  }
  return best === undefined ? undefined : `did you mean '${best}'?`;
}

/**
 * A candidate that is the name with whole words added or removed (`ptep_clear_flush` for
 * `ptep_clear_flush_young`): a different function, not a typo, so never a suggestion.
 */
export function relatedName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const c of candidates) {
    if (wordsAddedTo(name, c) && (best === undefined || editDistance(name, c) < editDistance(name, best))) best = c;
  }
  return best;
}

function wordsAddedTo(a: string, b: string): boolean {
  const [short, long] = a.length < b.length ? [a.split('_'), b.split('_')] : [b.split('_'), a.split('_')];
  if (short.length === long.length) return false;
  let i = 0;
  for (const w of long) if (w === short[i]) i++;
  return i === short.length;
}
