// One checked file as plain data: what the JUnit, SARIF and HTML writers read. The run driver
// (src/run) builds it; nothing here depends on the search result, so a search's memory can be
// dropped as soon as its file is checked.
import type { Explanation } from '../explain/index.js';
import type { Coverage, Location } from './coverage.js';
import type { TraceView } from './traceview.js';

export interface PropertyReport {
  readonly name: string;
  readonly kind: string;
  /** `reached`/`unreached` for cover goals. */
  readonly status: 'holds' | 'violated' | 'reached' | 'unreached' | 'unknown';
  /** The scenario expects it violated. */
  readonly expectedViolated: boolean;
  readonly location: Location | null;
  /** Milliseconds of search until its verdict: the share of the search up to its counterexample's last state, else all of it. */
  readonly ms: number;
}

/** Something true of a run that may make its verdict mean less than it says. */
export interface Warning {
  readonly kind: 'unreached-access' | 'no-completed-write' | 'no-final-state' | 'state-count-changed';
  readonly message: string;
  readonly location?: Location;
}

/** What a result was computed from, so a CI failure can be re-run locally. */
export interface Provenance {
  readonly tool: { readonly name: 'dirtyrace'; readonly version: string };
  /** The scenario first, then the architecture chain (base first), then the libraries. */
  readonly modelFiles: readonly string[];
  /** sha256 over the text of every model file, in that order. */
  readonly modelHash: string;
  readonly options: {
    readonly arch: string | null;
    readonly maxStates: number;
    readonly timeLimitSeconds: number | null;
    readonly models: readonly string[];
    readonly symmetry: boolean;
    readonly por: boolean;
    readonly strict: boolean;
  };
  /** The command that re-runs this one check. */
  readonly command: string;
}

export type FileStatus = 'PASS' | 'FAIL' | 'UNKNOWN' | 'ERROR';

/** One checked file (for one architecture). */
export interface FileReport {
  readonly file: string;
  readonly arch: string | null;
  readonly label: string;
  readonly status: FileStatus;
  readonly exit: number;
  readonly outcome: string | null;
  readonly expected: string | null;
  readonly properties: readonly PropertyReport[];
  readonly traces: readonly TraceView[];
  /** With --explain: per violated property, its explanation and that as text (absent otherwise). */
  readonly explanations?: readonly (Explanation & { readonly text: string })[];
  readonly stats: { readonly states: number; readonly transitions: number; readonly depth: number; readonly ms: number; readonly limit: string | null } | null;
  readonly coverage: Coverage | null;
  readonly warnings: readonly Warning[];
  /** Warnings count as errors (--strict). */
  readonly strict: boolean;
  readonly error: { readonly message: string; readonly location: Location | null; readonly text: string } | null;
  readonly provenance: Provenance;
}
