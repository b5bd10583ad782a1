// Two searches of one transition system give the same result: states in the same order, the same
// parent links and actions (hence the same traces), transitions, final states and violations.
import { expect } from 'vitest';
import type { ExploreResult } from '../../src/index.js';

export function expectSame(a: ExploreResult, b: ExploreResult, what: string): void {
  expect([b.states, b.transitions, b.depth, b.finalStates, b.limit], what).toEqual([a.states, a.transitions, a.depth, a.finalStates, a.limit]);
  expect(b.violations, what).toEqual(a.violations);
  for (let i = 0; i < a.states; i++) {
    if (b.parentOf(i) !== a.parentOf(i) || b.actionOf(i) !== a.actionOf(i)) {
      expect([i, b.parentOf(i), b.actionOf(i)], what).toEqual([i, a.parentOf(i), a.actionOf(i)]);
    }
  }
  // The stored states themselves, read back from where the other search keeps them.
  for (let i = 0; i < a.states; i += Math.max(1, Math.floor(a.states / 200))) expect(b.stateAt(i), `${what}: state ${i}`).toEqual(a.stateAt(i));
}
