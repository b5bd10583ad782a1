// A copy of models/ in a temporary folder with one library file changed, for tests that check a
// scenario fails when the procedure step it relies on is removed (pass the folder as a model
// directory: it is searched before the bundled models). Call removeMutatedModels in afterAll.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const temps: string[] = [];

/** A copy of models/ whose linux/LIB.lib has `from` (which must occur) replaced by `to`. */
export function mutatedModels(from: string, to: string, lib: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${lib}-`));
  temps.push(dir);
  cpSync(join(ROOT, 'models'), dir, { recursive: true });
  const file = join(dir, 'linux', `${lib}.lib`);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
  return dir;
}

export function removeMutatedModels(): void {
  temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
}
