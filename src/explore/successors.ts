// Successor records: everything the search needs to know about one state's outgoing steps,
// computed without touching the state table, so that workers can compute them while the main
// thread interns in the sequential order. A record is, in Int32 slots:
//   [finished, ample] then per action [code, hash, failing, step failures..., key words...]
// `finished`: every CPU has finished in the state itself; `ample`: the first independent CPU
// whose step is enabled (-1 if none, or POR off); `code`: the step's status (DISABLED, OK, or
// 1 + a violated property); for OK: the successor packed (after symmetry canonicalization),
// its hash, a bitmask of the state checks (monitors.ts) it fails, and the words of
// TransitionSystem.stepFailures the step set (the asserts and access properties it broke while
// completing; none when the model has no such property).
import { DISABLED, OK, type TransitionSystem } from '../compile/index.js';
import type { StateCheck } from './monitors.js';
import type { Packer } from './pack.js';
import type { Symmetry } from './symmetry.js';

export interface SuccessorWriter {
  readonly recordSize: number;
  readonly actions: number;
  write(state: Int32Array, out: Int32Array, at: number): void;
  /** One action entry describing `state` itself as reached (for initial states). */
  writeReached(state: Int32Array, out: Int32Array, at: number): void;
}

export const RECORD_HEAD = 2;
/** Where an action entry's step failures start; its packed successor follows them. */
export const STEP_FAILURES = 3;

/** Slots of an action entry before its packed successor. */
export function actionHead(ts: TransitionSystem): number {
  return STEP_FAILURES + ts.stepFailures.length;
}

/** Int32 slots per record, for a store packing states into `words` words. */
export function recordSize(ts: TransitionSystem, words: number): number {
  return RECORD_HEAD + ts.actions.length * (actionHead(ts) + words);
}

/** Bit i of each successor's `failing` mask is `checks[i]` (monitors.ts). */
export function successorWriter(ts: TransitionSystem, packer: Packer, checks: readonly StateCheck[], symmetry: Symmetry | undefined, por: boolean): SuccessorWriter {
  const ncpu = ts.cpuActions;
  const hw = ts.hardware.map((h) => h.exec);
  const actions = ts.actions.length;
  const words = packer.words;
  const head = actionHead(ts);
  const per = head + words;
  const { stepFailures } = ts;
  const failureWords = stepFailures.length;
  const work = new Int32Array(ts.stateSize);
  const key = new Uint32Array(words);
  const canonicalize = symmetry?.groups.length ? symmetry.canonicalize : undefined;
  const { finished } = ts;
  const hasFinals = checks.some((t) => t.final);
  const testFns = checks.map((t) => t.test);
  const isFinal = checks.map((t) => t.final);

  const emit = (code: number, out: Int32Array, at: number) => {
    out[at] = code;
    for (let w = 0; w < failureWords; w++) { out[at + STEP_FAILURES + w] = stepFailures[w]!; stepFailures[w] = 0; }
    if (code !== OK) return;
    if (canonicalize) canonicalize(work);
    out[at + 1] = packer.pack(work, key);
    let failing = 0;
    if (testFns.length) {
      const done = hasFinals && finished(work);
      for (let bit = 0; bit < testFns.length; bit++) if ((done || !isFinal[bit]) && !testFns[bit]!(work)) failing |= 1 << bit;
    }
    out[at + 2] = failing;
    for (let w = 0; w < words; w++) out[at + head + w] = key[w]!;
  };

  return {
    recordSize: recordSize(ts, words),
    actions,
    writeReached(state, out, at) {
      if (failureWords) stepFailures.fill(0);
      work.set(state);
      emit(OK, out, at);
    },
    write(state, out, at) {
      // Other readers of the register (coverage, traces) may have left bits in it.
      if (failureWords) stepFailures.fill(0);
      out[at] = finished(state) ? 1 : 0;
      let ample = -1;
      // A step that returns DISABLED has not touched `work`; any other leaves it to be reset.
      work.set(state);
      for (let c = 0; c < ncpu; c++) {
        const code = ts.cpuStep(c, work);
        if (por && ample < 0 && code !== DISABLED && ts.independentStep(c, state)) ample = c;
        emit(code, out, at + RECORD_HEAD + c * per);
        if (code !== DISABLED) work.set(state);
      }
      out[at + 1] = ample;
      for (let h = 0; h < hw.length; h++) {
        const code = hw[h]!(work);
        emit(code, out, at + RECORD_HEAD + (ncpu + h) * per);
        if (code !== DISABLED) work.set(state);
      }
    },
  };
}
