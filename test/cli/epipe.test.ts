// `dirtyrace check FILE | head`: a reader that closes stdout early is not an error (issue 15 §5).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const main = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;

describe('a closed stdout', () => {
  it('ends the run with its own exit status and no error output', async () => {
    const child = spawn(process.execPath, [main, 'check', 'scenarios/tutorial', 'scenarios/soft_dirty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    // Read the first chunk, then close the pipe as `head -1` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => { child.stdout.destroy(); resolve(); }));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Error|internal/);
    expect(code).toBe(0);
  });
});
