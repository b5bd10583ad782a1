// The partitioned search's shared forms: the successor entry one partition sends another, the
// keys that order a level, and the messages between the coordinator and the partitions.
//
// A level is numbered by its states' first discovery (parent number, action) — exactly the order
// in which the sequential search (bfs.ts) adds them — so numbering, parents, traces and the
// first violation of each property do not depend on the number of partitions.

/** A successor entry: [parent number, action | flags << 16, failing, hash, parent's local index, packed words...]. */
export const ENTRY = { parent: 0, action: 1, failing: 2, hash: 3, parentLocal: 4, words: 5 } as const;
/** The entry is a POR probe: the ample step alone, taken if its successor is not in an earlier level. */
export const PROBE = 1;
/** The entry is a hardware step of a stuck state (for the deadlock check). */
export const STUCK = 2;

/** Entries per batch sent to another partition. */
export const BATCH = 1024;

/** Rounds of a level: successors; POR probe answers; successors of states whose probe failed. */
export const ROUND = { successors: 0, probeAnswers: 1, fullAfterProbe: 2 } as const;

/**
 * A new state's discovery key: parent, then probe before full expansion, then action. A probe's
 * successor is its parent's only child, so this is (parent number, action) order.
 */
export const discoveryKey = (parent: number, action: number, probe: boolean): number => parent * 2 ** 17 + (probe ? 0 : 2 ** 16) + action;
export const keyParent = (key: number): number => Math.floor(key / 2 ** 17);
export const keyAction = (key: number): number => key % 2 ** 16;
export const keyProbe = (key: number): boolean => key % 2 ** 17 < 2 ** 16;

/**
 * An event's key, in the order the sequential search meets events: parent, position (0 the POR
 * probe, 1 + action the full expansion), then step failures before the successor's state checks.
 */
export const eventKey = (parent: number, position: number, reached: boolean): number => parent * 2 ** 18 + position * 2 + (reached ? 1 : 0);
export const eventParent = (key: number): number => Math.floor(key / 2 ** 18);
export const eventPosition = (key: number): number => Math.floor((key % 2 ** 18) / 2);

/** A partition's first event per property in one level. `state` is a candidate's rank when `candidate`. */
export interface LevelEvent {
  readonly prop: number;
  readonly key: number;
  readonly state: number;
  readonly candidate: boolean;
  readonly action?: number;
  readonly brokenCheck?: number;
}

/** What a partition reports once a level is expanded. */
export interface LevelDone {
  readonly t: 'done';
  /** Discovery keys of the new states, by candidate rank (local index - candStart). */
  readonly keys: Float64Array;
  readonly candStart: number;
  /** Transitions from this level into states this partition owns. */
  readonly transitions: number;
  readonly finished: number;
  readonly events: readonly LevelEvent[];
  /** Stuck states of this partition (no CPU can step). */
  readonly stuck: readonly number[];
  /** Hardware edges of stuck states into this partition: pairs (parent, target), a target ~rank when a candidate. */
  readonly stuckEdges: readonly number[];
  /** Chunks of packed states added since the last report (shared memory, threads only). */
  readonly chunks: readonly SharedArrayBuffer[];
  readonly bytes: number;
}

/** The figures a partition gives for a level cut short by the state limit. */
export interface CutDone {
  readonly t: 'cut';
  /** Transitions from parents before the cut parent. */
  readonly transitionsBefore: number;
  /** Finished states up to and including the cut parent. */
  readonly finishedUpTo: number;
  /** Of the looked-up successors: how many are stored (and not the cut parent itself). */
  readonly stored: number;
}

export type ToCoordinator = LevelDone | CutDone | { readonly t: 'aborted' } | { readonly t: 'ready' };

export type ToPartition =
  | { readonly t: 'seed'; readonly entries: Int32Array }
  | { readonly t: 'level'; readonly depth: number; readonly start: number; readonly width: number }
  /** Global numbers of the candidates, by rank; -1 for those the state limit leaves out. */
  | { readonly t: 'numbers'; readonly numbers: Int32Array }
  | { readonly t: 'cut'; readonly parent: number; readonly lookups: Int32Array }
  | { readonly t: 'stop' };
