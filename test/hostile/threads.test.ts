// `--threads` takes a whole number within a stated bound (issue 12 item 7).
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';

async function run(...argv: string[]) {
  let stderr = '';
  const code = await runCli(argv, { stdout: () => {}, stderr: (s) => { stderr += s; } });
  return { code, stderr };
}

const FILE = 'scenarios/tutorial/peterson.race';

describe('--threads', () => {
  const max = availableParallelism() * 4;
  it.each(['1.5', '0.5', '0x10', '0', '-1', '1e1', String(max + 1), '1000', ' 2', ''])('refuses %j: exit 2 naming the bound', async (v) => {
    const r = await run('check', `--threads=${v}`, FILE);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--threads takes a whole number from 1 to ${max} (4 per core), found '${v}'`);
  });

  it.each(['1', '2'])('accepts %s', async (v) => {
    expect((await run('check', '-q', '--threads', v, FILE)).code).toBe(0);
  });
});
