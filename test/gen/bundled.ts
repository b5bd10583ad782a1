// Every bundled scenario and proof file, for tests that run all of them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export function bundledFiles(): string[] {
  const files: string[] = [];
  const walk = (d: string) => readdirSync(d).sort().forEach((f) => {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p); else if (p.endsWith('.race')) files.push(p);
  });
  walk(join(ROOT, 'scenarios'));
  walk(join(ROOT, 'proofs'));
  return files;
}
