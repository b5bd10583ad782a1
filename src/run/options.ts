// How one check is run: the single options type of the driver, which the CLI fills from argv and
// the library API from its caller.
import { totalmem } from 'node:os';
import type { ExploreProgress } from '../explore/bfs.js';
import type { StoreKind } from '../explore/states.js';
import { DEFAULT_MEMORY, type MemoryMode } from '../ir/model.js';
import type { Distributed } from '../explore/distributed/coordinator-process.js';

export interface RunOptions {
  /** An architecture model (`x86_64`, `NAME(param = value)`) replacing the scenario's `use` line. */
  readonly arch?: string;
  /** Extra directories searched for model files (the scenario's own and models/ always are). */
  readonly modelDirs: readonly string[];
  /** Stored states after which the search stops, inconclusive. */
  readonly maxStates: number;
  /** Milliseconds after which the search stops, inconclusive (Infinity: none). */
  readonly timeLimitMs: number;
  /** Bytes the state store and the JS heap may hold before the search stops, inconclusive. */
  readonly memoryLimitBytes: number;
  /** Stops the search, inconclusive (the CLI raises it on SIGINT and SIGTERM). */
  readonly signal?: AbortSignal;
  /** Symmetry reduction for groups of identical CPUs. */
  readonly symmetry: boolean;
  /** Partial-order reduction (never for proofs, whose coverage needs every reachable state). */
  readonly por: boolean;
  /** Threads of the search; any number gives the same states, verdicts and traces. */
  readonly threads: number;
  /** Search over partition processes through NATS instead (explore/distributed/); same results. */
  readonly distributed?: Distributed;
  /** 64-bit fingerprints instead of exact states (one thread only). */
  readonly hashCompact: boolean;
  /** The exact store: packed vectors (`exact`) or tree compression (`compact`, one thread only). */
  readonly store: StoreKind;
  /** arm64's memory model (`--memory`): Arm's relaxed ordering of page-table accesses, or sc. */
  readonly memory: MemoryMode;
  /** Vacuity and state-count warnings fail the file. */
  readonly strict: boolean;
  /** Write the state counts of proofs next to them (PROOF.race.counts.json). */
  readonly record: boolean;
  /** Build the plain-data traces the JUnit, SARIF and HTML writers need. */
  readonly reports: boolean;
  /** Explain each violation: the window of every step and the orderings it needs (src/explain). */
  readonly explain: boolean;
  /** Called with the search's figures about four times a second. */
  readonly onProgress?: (p: ExploreProgress) => void;
}

export const DEFAULT_MAX_STATES = 20_000_000;
/** Half the machine's memory: the rest is left to the system, worker threads and report writing. */
export const DEFAULT_MEMORY_LIMIT = Math.floor(totalmem() / 2);

export const DEFAULT_OPTIONS: RunOptions = {
  modelDirs: [], maxStates: DEFAULT_MAX_STATES, timeLimitMs: Infinity, memoryLimitBytes: DEFAULT_MEMORY_LIMIT, symmetry: true, por: true, threads: 1,
  hashCompact: false, store: 'exact', memory: DEFAULT_MEMORY, strict: false, record: false, reports: false, explain: false,
};

/** The defaults with `o` applied. */
export function runOptions(o: Partial<RunOptions> = {}): RunOptions {
  return { ...DEFAULT_OPTIONS, ...o };
}
