// What a search result means for each property and for the scenario's expectation.
import type { Model, Property } from '../ir/model.js';
import type { ExploreResult, Violation } from './bfs.js';

/** A cover goal is `reached` (its violation is the witness) or `unreached`; other properties hold or are violated. */
export type PropertyStatus = 'holds' | 'violated' | 'reached' | 'unreached' | 'unknown';

export interface PropertyVerdict {
  readonly index: number;
  readonly property: Property;
  readonly status: PropertyStatus;
  readonly violation?: Violation;
}

export interface Verdict {
  readonly properties: readonly PropertyVerdict[];
  /**
   * `holds`, `violated` (some property is violated or a cover goal never reached), or
   * `inconclusive` (a limit hit before a verdict).
   */
  readonly outcome: 'holds' | 'violated' | 'inconclusive';
  /** What the scenario expected, in words; undefined when it states no expectation. */
  readonly expected?: string;
  /** 0 every expectation met, 1 missed (or a violation with no expectation), 3 inconclusive. */
  readonly exit: 0 | 1 | 3;
}

export function verdictOf(m: Model, r: ExploreResult): Verdict {
  const properties = m.properties.map((property, index): PropertyVerdict => {
    const violation = r.violations[index];
    const cover = property.kind === 'cover';
    const status: PropertyStatus = violation ? (cover ? 'reached' : 'violated') : r.limit ? 'unknown' : cover ? 'unreached' : 'holds';
    return { index, property, status, violation };
  });
  const violated = new Set(properties.filter((p) => p.status === 'violated').map((p) => p.property.name));
  // A cover goal never reached fails the check whatever the expectation says.
  const unreached = properties.some((p) => p.status === 'unreached');
  const outcome = violated.size || unreached ? 'violated' : r.limit ? 'inconclusive' : 'holds';
  const want = new Set(m.expectation?.violated ?? []);
  const expected = m.expectation ? (want.size ? `violated ${[...want].join(', ')}` : 'holds') : undefined;
  const unexpected = [...violated].some((n) => !want.has(n));
  const missing = [...want].some((n) => !violated.has(n));
  let exit: Verdict['exit'];
  if (unexpected || unreached) exit = 1;
  else if (missing) exit = r.limit ? 3 : 1;
  else exit = r.limit && want.size === 0 ? 3 : 0;
  return { properties, outcome, expected, exit };
}
