// `dirtyrace init`: every template writes a scenario that checks as it stands.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './harness.js';
import { TEMPLATES } from '../../src/init/templates.js';

describe('init', () => {
  it('offers the three usual shapes', () => {
    expect(TEMPLATES.map((t) => t.name)).toEqual(['deferred-flush', 'fault-vs-cleaner', 'mmu-gather']);
  });

  for (const t of TEMPLATES) {
    it(`${t.name}: the written scenario checks (exit 0, its expectation met)`, async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'dirtyrace-init-')), `${t.name}.race`);
      const w = await run('init', t.name, file);
      expect(w.code).toBe(0);
      expect(w.stdout).toBe(`wrote ${file} (${t.summary}); check it with: dirtyrace check ${file}\n`);
      expect(readFileSync(file, 'utf8')).toBe(t.text);
      const c = await run('check', file);
      expect(c.stderr).toBe('');
      expect(c.code).toBe(0);
      expect(c.stdout).toMatch(/^holds {2}all properties .*\nexpected holds: met\n/);
    });
  }

  it('- prints the template; an existing file is kept; an unknown template lists the others: exit 2', async () => {
    expect((await run('init', 'mmu-gather', '-')).stdout).toBe(TEMPLATES[2]!.text);
    const file = join(mkdtempSync(join(tmpdir(), 'dirtyrace-init-')), 'mine.race');
    writeFileSync(file, 'mine');
    const kept = await run('init', 'mmu-gather', file);
    expect(kept.code).toBe(2);
    expect(kept.stderr).toBe(`dirtyrace: ${file} exists; not overwritten\n`);
    expect(readFileSync(file, 'utf8')).toBe('mine');
    const unknown = await run('init', 'tlb-shootdown');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no template 'tlb-shootdown'");
    for (const t of TEMPLATES) expect(unknown.stderr).toContain(`  ${t.name}`);
    expect((await run('init')).code).toBe(2);
  });
});
