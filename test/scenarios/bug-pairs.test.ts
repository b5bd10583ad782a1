// scenarios/bugs/ (issue 10, "Proof: real bugs, written with the library"): for each kernel fix a
// buggy and a fixed scenario. The buggy one is violated exactly as it expects; the fixed one holds
// with no warning under --strict and reaches a cover goal (the racy window is reachable); every
// CPU program is at most 30 lines, comments excluded.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checked } from '../gen/checked.js';

const DIR = join(import.meta.dirname, '..', '..', 'scenarios', 'bugs');
const files = readdirSync(DIR).filter((f) => f.endsWith('.race')).sort();
const fixOf = (f: string) => /^([0-9a-f]{12}|cve-\d{4}-\d+)-/.exec(f)?.[1];
const fixes = [...new Set(files.map(fixOf))];

/** Lines of each `cpu NAME { ... }` body that are not blank or comments. */
function programLines(text: string): number[] {
  const out: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^cpu\s/.test(lines[i]!)) continue;
    if (/\}\s*(\/\/.*)?$/.test(lines[i]!)) { out.push(1); continue; }
    let n = 0;
    for (i++; i < lines.length && !/^\}/.test(lines[i]!); i++) if (lines[i]!.trim() && !lines[i]!.trim().startsWith('//')) n++;
    out.push(n);
  }
  return out;
}

describe('scenarios/bugs', () => {
  it('every file belongs to a fix with exactly one buggy and one fixed scenario', () => {
    expect(files.every((f) => fixOf(f) !== undefined)).toBe(true);
    for (const fix of fixes) {
      const pair = files.filter((f) => fixOf(f) === fix);
      const kinds = pair.map((f) => (/^expect holds;$/m.test(readFileSync(join(DIR, f), 'utf8')) ? 'fixed' : 'buggy')).sort();
      expect(kinds, fix).toEqual(['buggy', 'fixed']);
    }
  });

  it.each(files)('%s: the verdict it expects, and a reachable window when fixed', async (f) => {
    const text = readFileSync(join(DIR, f), 'utf8');
    const r = await checked(text, join(DIR, f), { strict: true });
    const fixed = /^expect holds;$/m.test(text);
    expect(r.exit, r.report.warnings.map((w) => w.message).join('; ')).toBe(0);
    if (fixed) {
      expect(r.verdict.outcome).toBe('holds');
      expect(r.report.warnings).toEqual([]);
      const covers = r.verdict.properties.filter((p) => p.property.kind === 'cover');
      expect(covers.length, 'a cover goal for the racy window').toBeGreaterThan(0);
      expect(covers.every((p) => p.status === 'reached')).toBe(true);
    } else {
      const want = [...text.matchAll(/^expect violated (\w+);$/gm)].map((m) => m[1]!).sort();
      const got = r.verdict.properties.filter((p) => p.status === 'violated').map((p) => p.property.name).sort();
      expect(got).toEqual(want);
    }
    for (const n of programLines(text)) expect(n).toBeLessThanOrEqual(30);
  });
});
