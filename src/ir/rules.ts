// The spontaneous steps of a model, in action order: every enabled hardware rule for every CPU
// and page, then every interrupt's delivery for every CPU (page -1: it runs for no page). The
// compiler, the independence analysis, the reference interpreter and the Promela export all
// enumerate them from here.
import type { HardwareRule, Interrupt, Model } from './model.js';
import { forEachStmt } from './walk.js';

export interface RuleInstance {
  readonly rule: HardwareRule;
  readonly cpu: number;
  /** -1 for an interrupt delivery. */
  readonly page: number;
  readonly interrupt?: Interrupt;
}

export function enabledHardware(m: Model): readonly HardwareRule[] {
  return m.arch.hardware.filter((r) => !m.disabled.includes(r.name));
}

export function ruleInstances(m: Model): RuleInstance[] {
  return [
    ...enabledHardware(m).flatMap((rule) => m.cpus.flatMap((c) => m.pages.map((p) => ({ rule, cpu: c.index, page: p.index })))),
    ...m.interrupts.flatMap((interrupt) => m.cpus.map((c) => ({ rule: interrupt.rule, cpu: c.index, page: -1, interrupt }))),
  ];
}

/**
 * Relaxed mode: the pages CPU `cpu`'s program may access (its body and the fault handlers it
 * runs; a page given by a variable counts as every page). Only those get `walk_early` steps: an
 * early walk of a page the CPU never accesses could fault nothing.
 */
export function accessedPages(m: Model, cpu: number): boolean[] {
  const out = m.pages.map(() => false);
  forEachStmt(m.cpus[cpu]!.body, (s) => {
    if (s.k !== 'access') return;
    if (s.page.k === 'const') out[s.page.value] = true; else out.fill(true);
  });
  return out;
}
