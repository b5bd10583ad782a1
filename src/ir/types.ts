// Sizes and ranges of the model's types: how many state slots a value takes, which values a
// scalar may hold. Layout, packing, codegen, reports and exports all ask here.
import type { Arch, Field, RecordKind, ScalarType, Type } from './model.js';

/** The model's sizes a type's range depends on. */
export interface Counts {
  readonly pages: { readonly length: number };
  readonly frames: { readonly length: number };
  readonly cpus: { readonly length: number };
}

export function recordFields(arch: Arch, rec: RecordKind): readonly Field[] {
  return rec === 'pte' ? arch.pteFields : arch.tlbFields;
}

/** The inclusive range of a scalar type's values (bool 0..1; enums, pages, frames, CPUs by index). */
export function valueRange(t: ScalarType, m: Counts): [number, number] {
  switch (t.k) {
    case 'bool': return [0, 1];
    case 'int': return [t.lo, t.hi];
    case 'enum': return [0, t.members.length - 1];
    case 'page': return [0, m.pages.length - 1];
    case 'frame': return [0, m.frames.length - 1];
    case 'cpu': return [0, m.cpus.length - 1];
  }
}

export function typeSize(t: ScalarType, m: Counts): number {
  const [lo, hi] = valueRange(t, m);
  return hi - lo + 1;
}

/** The state slots a value of type `t` takes: one per record field, one for a scalar. */
export function slotWidth(arch: Arch, t: Type): number {
  return t.k === 'pte' || t.k === 'tlbe' ? recordFields(arch, t.k).length : 1;
}

/** The scalar type of each slot of a value of type `t`. */
export function slotTypes(arch: Arch, t: Type): readonly ScalarType[] {
  return t.k === 'pte' || t.k === 'tlbe' ? recordFields(arch, t.k).map((f: Field) => f.type) : [t as ScalarType];
}
