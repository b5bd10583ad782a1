// The scenario files a run checks: each `.race` file given, and every `.race` file under each
// directory given, in sorted order.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A path given on the command line that does not exist. */
export class MissingPath extends Error {}

export function scenarioFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else if (p.endsWith('.race')) out.push(p);
  };
  for (const p of paths) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) throw new MissingPath(`no such file or directory: ${p}`);
    if (st.isFile()) out.push(p);
    else walk(p);
  }
  return out;
}
