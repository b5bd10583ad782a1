// Interrupts (docs/LANGUAGE.md "Interrupts"): send_ipi, ipi_pending, the per-CPU delivery step,
// its guard, and what a scenario that does not use them pays (nothing).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { Diagnostic } from '../../src/lang/source.js';
import { compileModel } from '../../src/compile/index.js';
import { runFast, runReference } from '../gen/engines.js';
import { checked, verdictOf } from '../gen/checked.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'interrupts');
const text = (name: string) => readFileSync(join(DIR, name), 'utf8');
const model = (t: string) => modelOf({ path: 'interrupts.race', text: t });

describe('interrupts', () => {
  it('the waiting shootdown holds and the delivery is reachable; without the wait it is violated', async () => {
    const ok = await checked(text('shootdown.race'), 'shootdown.race');
    expect(ok.verdict.properties.filter((p) => p.status === 'violated').map((p) => p.property.name)).toEqual([]);
    expect(verdictOf(ok, 'taken').status).toBe('reached');
    const bad = await checked(text('shootdown-no-wait.race'), 'shootdown-no-wait.race');
    expect(verdictOf(bad, 'no_stale_writable').status).toBe('violated');
  });

  it('the explorer and the reference interpreter agree on states, transitions and verdicts', () => {
    for (const f of ['shootdown.race', 'shootdown-no-wait.race']) {
      const m = model(text(f));
      const fast = runFast(m, 10_000);
      expect(fast.limited).toBe(false);
      expect(fast).toEqual(runReference(m, 10_000));
    }
  });

  it('one delivery action per CPU and handler, named for the trace; pending flags are globals per CPU', () => {
    const ts = compileModel(model(text('shootdown.race')));
    const deliveries = ts.hardware.filter((h) => h.page < 0);
    expect(deliveries.map((h) => h.name)).toEqual(['initiator takes interrupt shootdown', 'writer takes interrupt shootdown']);
    expect(ts.model.globals.map((g) => g.name)).toContain('shootdown.pending');
  });

  it('a CPU that keeps interrupts off while another waits for its delivery deadlocks', async () => {
    const t = text('shootdown.race').replace('  irqs_off[self] = false;\n', '').replace('expect holds;', '');
    const r = await checked(t, 'irqs-off.race');
    expect(verdictOf(r, 'deadlock').status).toBe('violated');
  });

  it('a handler that reads frame data sees it, as a CPU would (the data column exists for it alone)', async () => {
    const t = [
      'use arm64;', 'use linux;', 'frame F0;',
      'page X { valid: true, af: true, dbm: true, rdonly: false, swdirty: true, pfn: F0 }',
      'bool seen = false;', 'interrupt peek { if (F0.data == 0) { seen = true; } }',
      'cpu a { write X; send_ipi(peek, b); }', 'cpu b { await(!ipi_pending(peek, b)); }',
      'invariant saw: !seen;', '',
    ].join('\n');
    expect(model(t).usesData).toBe(true);
    expect(verdictOf(await checked(t, 'peek.race'), 'saw').status).toBe('violated');
    const fast = runFast(model(t), 10_000);
    expect(fast).toEqual(runReference(model(t), 10_000));
  });

  it('a scenario without interrupts has no pending flags or delivery steps', () => {
    const m = model('use x86_64;\nframe F0;\npage P { present: true, pfn: F0 }\ncpu c { read P; }\n');
    expect(m.interrupts).toEqual([]);
    expect(compileModel(m).hardware.every((h) => h.page >= 0)).toBe(true);
  });

  it('an unknown handler is a located error', () => {
    const t = 'use x86_64;\nframe F0;\npage P { present: true, pfn: F0 }\ncpu c { send_ipi(shootdwn, c); }\n';
    try { model(t); expect.unreachable(); } catch (e) {
      expect(e).toBeInstanceOf(Diagnostic);
      expect((e as Diagnostic).message).toBe("unknown interrupt handler 'shootdwn'");
    }
  });
});
