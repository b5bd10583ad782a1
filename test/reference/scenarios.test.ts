// Every scenario under scenarios/ through the checker and the reference interpreter: the verdict
// must be what the scenario's `expect` line says (holds, or exactly the named violations).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelOfFile, modelOf } from '../../src/check/index.js';
import { exploreReference } from '../../src/reference/index.js';

const ROOT = join(import.meta.dirname, '..', '..');

function raceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return raceFiles(path);
    return name.endsWith('.race') ? [path] : [];
  });
}

describe('reference verdicts on scenarios/', () => {
  for (const file of raceFiles(join(ROOT, 'scenarios'))) {
    it(file.slice(ROOT.length + 1), () => {
      const model = modelOfFile(file, { modelDirs: [join(ROOT, 'models')] });
      const result = exploreReference(model, { maxStates: 200_000 });
      expect(result.limitHit).toBe(false);
      // The reference reports a reached cover goal as "violated" (its witness): goals apart.
      const cover = new Set(model.properties.filter((p) => p.kind === 'cover').map((p) => p.name));
      const violated = result.properties.filter((p) => p.violated && !cover.has(p.name)).map((p) => p.name).sort();
      if (model.expectation) expect(violated).toEqual([...model.expectation.violated].sort());
      // A bundled cover goal is there to be reached.
      for (const name of cover) expect(result.properties.find((p) => p.name === name)!.violated, name).toBe(true);
    });
  }
});

it('moving the flush before the harvest makes the hand-written apply_as_clean hold', () => {
  // The tutorial scenario harvests the bitmap before the deferred flush (violated); with the
  // flush first, a stale dirty entry can only exist if the PTE was dirty when scanned (P1).
  const path = join(ROOT, 'scenarios/tutorial/apply_as_clean.race');
  const text = readFileSync(path, 'utf8');
  const fixed = text.replace('  flush(P);\n', '').replace('  if (bitmap) {', '  flush(P);\n  if (bitmap) {').replace('expect violated no_lost_dirty;', 'expect holds;');
  expect(fixed).not.toEqual(text);
  const model = modelOf({ path, text: fixed }, { modelDirs: [join(ROOT, 'models')] });
  const result = exploreReference(model);
  expect(result.properties.filter((p) => p.violated).map((p) => p.name)).toEqual([]);
  const broken = exploreReference(modelOf({ path, text }, { modelDirs: [join(ROOT, 'models')] }));
  expect(broken.properties.filter((p) => p.violated).map((p) => p.name)).toEqual(['no_lost_dirty']);
});
