// Exit statuses, as the README documents them.
export const EXIT = {
  /** Every expectation met (without an `expect` line: every property holds). */
  ok: 0,
  /** A property violated that was not expected, or an expected violation not found. */
  failed: 1,
  /** Bad input: a located error, or bad command-line use. */
  badInput: 2,
  /** A limit (states, time, memory) stopped a search before its verdict. */
  inconclusive: 3,
  /** A bug in dirtyrace. */
  internal: 4,
} as const;

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** Exit statuses of several checks combined: internal errors, then bad input, failures, unknowns. */
export function combineExits(codes: readonly number[]): ExitStatus {
  for (const c of [EXIT.internal, EXIT.badInput, EXIT.failed, EXIT.inconclusive]) if (codes.includes(c)) return c;
  return EXIT.ok;
}
