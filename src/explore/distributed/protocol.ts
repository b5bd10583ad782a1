// What a distributed search sends beyond the partition protocol (partition/protocol.ts): subjects,
// the coordinator's extra commands, and the states a partition process ships with each level.
import type { LevelDone, ToCoordinator, ToPartition } from '../partition/protocol.js';
import type { SearchStart } from '../parallel.js';

export const SUBJECT = {
  /** To partition i: the coordinator's commands. */
  control: (i: number) => `ctl.${i}`,
  /** To partition i: successor batches and end marks from the other partitions. */
  peer: (i: number) => `peer.${i}`,
  /** From partition i to the coordinator. */
  report: (i: number) => `coord.${i}`,
  /** Heartbeats of every process (sender -1: the coordinator). */
  alive: 'alive',
} as const;

/** A process that sends no heartbeat for this long has stopped (overridable for tests). */
export const DEAD_AFTER_MS = Number(process.env.DIRTYRACE_WORKER_TIMEOUT_MS ?? 10_000);
export const HEARTBEAT_MS = 250;
export const COORDINATOR = -1;

export type ToProcess = ToPartition | SearchStart | { readonly t: 'abort' } | { readonly t: 'shutdown' };

/** A level report as it crosses processes: the new states' packed words instead of shared chunks. */
export type LevelShipped = Omit<LevelDone, 'chunks'> & { readonly chunks: readonly never[]; readonly states: Uint32Array; readonly words: number };

export type FromProcess = Exclude<ToCoordinator, LevelDone> | LevelShipped | { readonly t: 'failed'; readonly message: string };

/** A distributed search that could not finish: a partition process stopped or never came. */
export class SearchFailure extends Error {}
