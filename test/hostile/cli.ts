// Runs the built CLI in a child process, as a user's shell would (exit status, stdout, stderr).
import { spawnSync } from 'node:child_process';

export const MAIN = 'dist/src/cli/main.js';

export function cli(...argv: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...argv], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
