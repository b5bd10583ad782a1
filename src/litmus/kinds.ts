// herdtools' kinds files (`NAME  Allowed|Forbidden|Required`, `#` comments). The catalogue's
// file also has abbreviations (`Allow`, `Forbid`), trailing comments, and lines that are not
// entries at all (a name glued to its verdict, prose): entries are read where they are
// unambiguous and every other non-blank line is returned as odd, with its number.
import type { LitmusVerdict } from './check.js';

export interface Kinds {
  readonly entries: ReadonlyMap<string, LitmusVerdict>;
  readonly odd: readonly { readonly line: number; readonly text: string; readonly why: string }[];
}

const WORDS: ReadonlyMap<string, LitmusVerdict> = new Map([
  ['Allowed', 'Allowed'], ['Allow', 'Allowed'], ['Forbidden', 'Forbidden'], ['Forbid', 'Forbidden'], ['Required', 'Required'], ['Require', 'Required'],
]);

export function parseKinds(text: string): Kinds {
  const entries = new Map<string, LitmusVerdict>();
  const odd: { line: number; text: string; why: string }[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const body = raw.replace(/#.*$/, '').trim();
    if (body === '') return;
    const w = body.split(/\s+/);
    const v = w.length === 2 ? WORDS.get(w[1]!) : undefined;
    if (!v) { odd.push({ line: i + 1, text: raw, why: w.length === 1 ? 'no verdict (a name glued to it?)' : `not NAME VERDICT` }); return; }
    if (WORDS.get(w[1]!) && w[1] !== v) odd.push({ line: i + 1, text: raw, why: `abbreviated verdict '${w[1]}' read as ${v}` });
    const prev = entries.get(w[0]!);
    if (prev && prev !== v) { odd.push({ line: i + 1, text: raw, why: `second entry for ${w[0]} disagrees (${prev}); kept the first` }); return; }
    if (!prev) entries.set(w[0]!, v);
  });
  return { entries, odd };
}
