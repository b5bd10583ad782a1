// The side-by-side table of one file under several models names the file's own model as its `use`
// line does, parameters included, so it cannot be mistaken for an `expect on` column of the same
// model with other parameters.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('comparison table', () => {
  it('labels the own column with the use line\'s parameters', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'check', '-q', 'scenarios/riscv/fault-without-fence.race'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const header = r.stdout.split('\n')[1]!;
    expect(header.split(/ {2,}/)).toEqual(['property', 'riscv_svade(cache_invalid = true)', 'riscv_svade(cache_invalid = false)', 'riscv_svadu(cache_invalid = true)']);
  });
});
