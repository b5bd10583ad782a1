import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './harness.js';

const P1 = 'scenarios/apply_as_clean/harvest-after-flush.race';
const P2 = 'scenarios/apply_as_clean/harvest-before-flush.race';
const WALKTHROUGH = 'scenarios/tutorial/apply_as_clean.race';

describe('exit statuses', () => {
  it('P1 holds as expected: 0', async () => {
    const r = await run('check', P1);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^holds {2}all properties {2}\(x86_64, 2 CPUs, 1 page; \d+ states/);
  });

  it('a syntax error: 2, located, with a caret and no stack trace', async () => {
    const r = await run('check', 'test/fixtures/syntax-error.race');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("test/fixtures/syntax-error.race:5:10: error: syntax error: expected ';' after 'P'");
    expect(r.stderr).toMatch(/\n5 \| {3}write P\n {2}\| {10}\^/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('a type error: 2, with the caret under the value', async () => {
    const r = await run('check', 'test/fixtures/type-error.race');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('type-error.race:6:10: error: type mismatch: cannot assign int[3..3] to bool');
    expect(r.stderr).toMatch(/6 \| {3}flag = 3;\n {2}\| {10}\^/);
  });

  it('an unknown name: 2, with a suggestion', async () => {
    const r = await run('check', 'test/fixtures/unknown-name.race');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown-name.race:6:3: error: unknown variable 'bitmapp'");
    expect(r.stderr).toContain("did you mean 'bitmap'?");
  });

  it('a missed expectation: 1, with the trace of the violation', async () => {
    const r = await run('check', 'test/fixtures/missed-expectation.race');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('expected holds: MISSED');
    expect(r.stdout).toContain('violated no_write_after_done after');
  });

  it('a state limit: 3 with the numbers reached', async () => {
    const r = await run('check', '--max-states', '50', P1);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^inconclusive {2}\(state limit reached: x86_64, .* \d+ states/);
  });

  it('bad flags: 2 with usage', async () => {
    const r = await run('check', '--format', 'xml', P1);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format is text or json');
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('check', 'no/such/file.race')).stderr).toContain('no such file or directory');
  });

  it('several files: one summary line each, a total, and the most severe status', async () => {
    const r = await run('check', P1, 'test/fixtures/type-error.race', 'test/fixtures/missed-expectation.race');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^PASS {4}scenarios\/apply_as_clean\/harvest-after-flush.race {2}holds/m);
    expect(r.stdout).toMatch(/^ERROR {3}test\/fixtures\/type-error.race/m);
    expect(r.stdout).toMatch(/^FAIL {4}test\/fixtures\/missed-expectation.race {2}violated no_write_after_done \(expected holds\)/m);
    expect(r.stdout).toContain('3 checked: 1 passed, 1 failed, 0 inconclusive, 1 errors');
  });
});

describe('the P2 counterexample', () => {
  it('is the race of reference-cases.md and nothing more (README walkthrough)', async () => {
    const r = await run('check', '--format', 'json', WALKTHROUGH);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(1);
    const res = doc.results[0];
    const prop = res.properties.find((p: { name: string }) => p.name === 'no_lost_dirty');
    expect(prop.status).toBe('violated');
    const steps = prop.trace.map((s: { actor: string; text: string }) => `${s.actor}: ${s.text}`);
    // The writer caches a dirty entry, the cleaner records and cleans, the consumer copies,
    // the writer writes through the stale entry, then the flush comes too late.
    expect(steps).toEqual([
      'cleaner: lock(ptl);',
      'writer: write P;',
      'cleaner: ptep_modify_prot_start(P)',
      'cleaner: if (pte_dirty(v))',
      'cleaner: bitmap = true;',
      'cleaner: ptep_modify_prot_commit(P, pte_mkclean(v))',
      'cleaner: unlock(ptl);',
      'cleaner: if (bitmap)',
      'cleaner: saved = F0.version;',
      'cleaner: bitmap = false;',
      'writer: write P;',
      'cleaner: flush(P);',
    ]);
    expect(prop.trace[10].changes).toEqual(['F0.version=2']);
    expect(prop.final).toMatchObject({ P: '{present,write,accessed,pfn=F0}', bitmap: 'false', saved: '1', 'F0.version': '2' });
  });

  it('is as short with the kernel library (scenarios/apply_as_clean)', async () => {
    const doc = JSON.parse((await run('check', '--format', 'json', P2)).stdout);
    const prop = doc.results[0].properties.find((p: { name: string }) => p.name === 'no_lost_dirty');
    expect(prop.depth).toBe(12);
    const writes = prop.trace.filter((s: { actor: string; text: string }) => s.actor === 'writer');
    expect(writes.map((s: { text: string }) => s.text)).toEqual(['write P;', 'write P;']);
    expect(prop.trace.filter((s: { hardware: boolean }) => s.hardware)).toEqual([]);
    expect(prop.final).toMatchObject({ 'bitmap[P]': 'false', saved: '1', 'F0.version': '2' });
  });
});

describe('--arch', () => {
  it('replaces the scenario architecture and reports one result per model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dirtyrace-'));
    writeFileSync(join(dir, 'noarch.arch'), 'arch noarch extends x86_64;\noverride hardware fill { skip; }\n');
    const r = await run('check', '--models', dir, '--arch', 'x86_64,noarch', '--format', 'json', P2);
    const doc = JSON.parse(r.stdout);
    expect(doc.results.map((x: { arch: string }) => x.arch)).toEqual(['x86_64', 'noarch']);
    // Without speculative fills fewer states are reachable, and the race still exists.
    expect(doc.results[1].stats.states).toBeLessThan(doc.results[0].stats.states);
    expect(doc.results[1].outcome).toBe('violated');
  });
});
