// Recorded state counts: `check --record` writes `PROOF.race.counts.json` next to each proof with
// the state and transition counts per configuration (architecture, symmetry) and a hash of the
// model text. A later run compares: counts that changed while the model text did not mean the
// checker itself explores differently, which is a warning (an error with --strict).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Warning } from '../report/file-report.js';

export interface CountEntry {
  readonly modelHash: string;
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly recordedBy: string;
}

export interface CountsFile {
  readonly file: string;
  readonly configurations: Record<string, CountEntry>;
}

export function countsPath(file: string): string {
  return `${file}.counts.json`;
}

export function configKey(arch: string, symmetry: boolean, por: boolean): string {
  return `arch=${arch} symmetry=${symmetry ? 'on' : 'off'} por=${por ? 'on' : 'off'}`;
}

function read(path: string): CountsFile | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as CountsFile;
    return doc && typeof doc.configurations === 'object' ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** Writes (or updates) the record for one configuration. */
export function recordCounts(file: string, key: string, entry: CountEntry): string {
  const path = countsPath(file);
  const old = read(path);
  const doc: CountsFile = { file, configurations: { ...(old?.configurations ?? {}), [key]: entry } };
  const sorted = Object.fromEntries(Object.entries(doc.configurations).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(path, `${JSON.stringify({ ...doc, configurations: sorted }, null, 2)}\n`);
  return path;
}

export interface CountCheck {
  /** `same`, `changed` (model unchanged: a warning), `model-changed` (expected to differ), `none` recorded. */
  readonly status: 'same' | 'changed' | 'model-changed' | 'none';
  readonly recorded?: CountEntry;
  readonly warning?: Warning;
}

export function compareCounts(file: string, key: string, now: Omit<CountEntry, 'recordedBy'>): CountCheck {
  const path = countsPath(file);
  const recorded = read(path)?.configurations[key];
  if (!recorded) return { status: 'none' };
  if (recorded.modelHash !== now.modelHash) return { status: 'model-changed', recorded };
  if (recorded.states === now.states && recorded.transitions === now.transitions) return { status: 'same', recorded };
  return {
    status: 'changed',
    recorded,
    warning: {
      kind: 'state-count-changed',
      location: { file, line: 1, col: 1, endLine: 1, endCol: 1 },
      message: `${now.states} states and ${now.transitions} transitions, but ${path} recorded ${recorded.states} and ${recorded.transitions} (${key}, ${recorded.recordedBy}) for the same model text: the checker explores differently (re-record with --record if intended)`,
    },
  };
}
