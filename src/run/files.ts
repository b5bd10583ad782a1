// The scenario files a run checks: each `.race` file given, and every `.race` file under each
// directory given, in sorted order. An entry that cannot be checked (a dangling or looping
// symlink, no permission, a FIFO or device named `*.race`) is listed with its problem, so the run
// reports it as an error and checks the rest; nothing but a regular file is ever opened, so a
// FIFO cannot block the run.
import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { fsProblem, nonRegular } from '../lang/source.js';

/** A path given on the command line that does not exist. */
export class MissingPath extends Error {}

export interface ScenarioEntry {
  readonly path: string;
  /** Why the entry cannot be checked; undefined for a regular file. */
  readonly problem?: string;
}

export function scenarioFiles(paths: readonly string[]): ScenarioEntry[] {
  const out: ScenarioEntry[] = [];
  const visited = new Set<string>(); // real paths of directories walked: a symlink cycle is walked once
  const walk = (dir: string) => {
    let names: string[];
    try {
      const real = realpathSync(dir);
      if (visited.has(real)) return;
      visited.add(real);
      names = readdirSync(dir).sort();
    } catch (e) {
      out.push({ path: dir, problem: `cannot read the directory: ${fsProblem(e)}` });
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      let st: Stats;
      try {
        st = statSync(p);
      } catch (e) {
        // Only a `.race` entry is the run's business; a broken link to anything else is ignored.
        const dangling = (e as NodeJS.ErrnoException).code === 'ENOENT' && lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink();
        if (p.endsWith('.race')) out.push({ path: p, problem: dangling ? 'a dangling symbolic link' : fsProblem(e) });
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (p.endsWith('.race')) out.push(st.isFile() ? { path: p } : { path: p, problem: `${nonRegular(st)}, not read` });
    }
  };
  for (const p of paths) {
    let st: Stats | undefined;
    try {
      st = statSync(p, { throwIfNoEntry: false });
    } catch (e) {
      out.push({ path: p, problem: fsProblem(e) });
      continue;
    }
    if (!st) throw new MissingPath(`no such file or directory: ${p}`);
    if (st.isDirectory()) walk(p);
    else out.push(st.isFile() ? { path: p } : { path: p, problem: `${nonRegular(st)}, not read` });
  }
  return out;
}
