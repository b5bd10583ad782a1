// The tool version, from the package's own package.json (found from this file, compiled or not).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function toolVersion(): string {
  if (cached !== undefined) return cached;
  cached = 'unknown';
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg)) {
      try { cached = (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version ?? 'unknown'; } catch { /* unreadable: unknown */ }
      return cached;
    }
    if (dirname(d) === d) return cached;
  }
}
