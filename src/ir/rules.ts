// The spontaneous steps of a model, in action order: every enabled hardware rule for every CPU
// and page, then every interrupt's delivery for every CPU (page -1: it runs for no page). The
// compiler, the independence analysis, the reference interpreter and the Promela export all
// enumerate them from here.
import type { HardwareRule, Interrupt, Model } from './model.js';

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
