// Every scenario under scenarios/ through the checker and the reference interpreter: the verdict
// must be what the scenario's `expect` line says (holds, or exactly the named violations).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile, checkSource } from '../src/check/index.js';
import { exploreReference } from '../src/reference/index.js';

const ROOT = join(import.meta.dirname, '..');

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
      const model = checkFile(file, { modelDirs: [join(ROOT, 'models')] });
      const result = exploreReference(model, { maxStates: 200_000 });
      expect(result.limitHit).toBe(false);
      const violated = result.properties.filter((p) => p.violated).map((p) => p.name).sort();
      if (model.expectation) expect(violated).toEqual([...model.expectation.violated].sort());
    });
  }
});

it('harvesting before the flush loses a dirty bit through the stale writable entry', () => {
  // Same scenario with the flush moved after the harvest: the writer's cached W=1,D=1 entry
  // lets a write complete after the PTE was cleaned and the bitmap harvested.
  const path = join(ROOT, 'scenarios/apply_as_clean/harvest-after-flush.race');
  const text = readFileSync(path, 'utf8');
  const harvest = text.slice(text.indexOf('  if (bitmap) {'), text.indexOf('}\n}', text.indexOf('  if (bitmap) {')) + 2);
  const buggy = text.replace('  flush(P);\n', '').replace(harvest, `${harvest}  flush(P);\n`);
  expect(buggy).not.toEqual(text);
  const model = checkSource({ path, text: buggy }, { modelDirs: [join(ROOT, 'models')] });
  const result = exploreReference(model);
  const lost = result.properties.find((p) => p.name === 'no_lost_dirty')!;
  expect(lost.violated).toBe(true);
  expect(result.properties.filter((p) => p.violated).map((p) => p.name)).toEqual(['no_lost_dirty']);
});
