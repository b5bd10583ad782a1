// Vacuity checks for claims: a proof that holds only because nothing happened. In a file under a
// `proofs/` directory, a user access (`read P;` / `write P;`) that never ran or never completed,
// and a holding expectation with no completed write at all, are warnings (errors with --strict).
import { sep } from 'node:path';
import type { Model } from '../ir/model.js';
import type { ExploreResult } from '../explore/bfs.js';
import type { Verdict } from '../explore/verdict.js';
import { at, locationOf, type Coverage } from '../report/coverage.js';
import type { Warning } from '../report/file-report.js';

/** A file under a directory named `proofs`. */
export function isProof(file: string): boolean {
  return file.split(/[\\/]/).slice(0, -1).includes('proofs') || file.includes(`${sep}proofs${sep}`);
}

/**
 * A final property judged in no state is vacuous: every run blocks or deadlocks before all CPUs
 * finish. Any file, not only proofs: such a "holds" says nothing.
 */
export function finalVacuity(m: Model, r: ExploreResult): Warning[] {
  if (r.limit || r.finalStates > 0) return [];
  return m.properties.flatMap((p) => (p.kind === 'final' ? [{
    kind: 'no-final-state' as const,
    location: locationOf(p.span),
    message: `final property '${p.name}' is checked in no state: no run reaches a state where every CPU has finished, so it holds vacuously`,
  }] : []));
}

export function vacuityWarnings(c: Coverage, v: Verdict, m: Model): Warning[] {
  const out: Warning[] = [];
  for (const u of c.unreached) {
    if (!u.access || u.what === 'fault' || (u.what === 'done' && u.expectsFault)) continue;
    const what = u.what === 'statement' ? 'is never executed' : 'never completes';
    out.push({ kind: 'unreached-access', location: u.location, message: `the access '${u.text}' of ${u.cpu} ${what} in any reachable state (${at(u.location)})` });
  }
  if (v.outcome === 'holds' && v.exit === 0 && c.hasWrites && c.zeroWrites) {
    out.push({
      kind: 'no-completed-write',
      location: m.expectation ? locationOf(m.expectation.span) : { file: m.file, line: 1, col: 1, endLine: 1, endCol: 1 },
      message: 'the expectation holds but no write completes in any reachable state: the claim may be vacuous',
    });
  }
  return out;
}
