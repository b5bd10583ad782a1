// The explanation as text: each step of the counterexample with the positions it can take and
// the nearest steps of other actors it must follow or precede, then the orderings the race needs.
import type { Explanation } from './index.js';

export function formatExplanation(x: Explanation): string {
  if (!x.complete) return `explain ${x.property}: stopped at ${x.states} states of the constrained search; no window computed`;
  const w = x.windows;
  const lines = [
    `explain ${x.property}: ${x.violating} of the ${x.interleavings} interleavings of these ${w.length} steps keep the violation`
      + ` (each CPU's steps in order, along the same statements; ${x.states} states searched)`,
    'at: the positions the step takes in those interleavings; after/before: the nearest steps of other actors it follows/precedes in every one',
    '',
  ];
  const bounds = w.map((s) => [s.failing ? 'fails' : '', s.after.length ? `after ${s.after.join(', ')}` : '', s.before.length ? `before ${s.before.join(', ')}` : ''].filter(Boolean).join(', '));
  const at = w.map((s) => (s.earliest === s.latest ? String(s.earliest) : `${s.earliest}-${s.latest}`));
  const width = (xs: string[], min: number) => Math.max(min, ...xs.map((x) => x.length));
  const [atW, boundsW, actorW] = [width(at, 5), width(bounds, 13), width(w.map((s) => s.actor), 5)];
  lines.push(`${'step'.padEnd(5)} ${'at'.padEnd(atW)} ${'after/before'.padEnd(boundsW)} ${'actor'.padEnd(actorW)} statement`);
  w.forEach((s, i) => lines.push(`${String(s.step).padEnd(5)} ${at[i]!.padEnd(atW)} ${bounds[i]!.padEnd(boundsW)} ${s.actor.padEnd(actorW)} ${s.text}`));
  lines.push('');
  const label = (step: number) => `${step} (${w[step - 1]!.actor}: ${w[step - 1]!.text})`;
  const race = x.orderings.filter((o) => !o.forced);
  const forced = x.orderings.filter((o) => o.forced);
  if (!race.length) lines.push('no ordering between steps of different actors is common to every violating interleaving');
  else {
    lines.push('orderings every violating interleaving has (a fix must make one of them impossible):');
    for (const o of race) lines.push(`  step ${label(o.first)}  before  step ${label(o.then)}`);
  }
  if (forced.length) {
    lines.push('and where the later step waits for the earlier (a lock, an await: synchronization, not the race):');
    for (const o of forced) lines.push(`  step ${label(o.first)}  before  step ${label(o.then)}`);
  }
  return lines.join('\n');
}
