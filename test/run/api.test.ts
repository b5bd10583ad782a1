// The library API (docs/API.md): the whole pipeline from a file or a text, every stage by hand,
// and the package's own name resolving to it as an installed package would.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkFile, checkText, compile, EXIT, explore, formatDiagnostic, modelOf, programGraph, readSource, traceOf, verdictOf,
} from '../../src/index.js';

import { LINUX_LIBRARY_FILES } from '../fixtures/linux-prelude.js';
const ROOT = join(import.meta.dirname, '..', '..');
const P2 = 'scenarios/apply_as_clean/harvest-before-flush.race';

describe('library API', () => {
  it('checks a file through every stage, with the exit status the CLI would give', async () => {
    const r = await checkFile(P2);
    expect(r.kind).toBe('checked');
    if (r.kind !== 'checked') return;
    expect(r.verdict.outcome).toBe('violated');
    expect(r.exit).toBe(EXIT.ok);
    const lost = r.verdict.properties.find((p) => p.property.name === 'no_lost_dirty')!;
    expect(lost.violation!.depth).toBe(12);
    expect(r.report.provenance.modelFiles).toEqual([P2, 'models/x86_64.arch', ...LINUX_LIBRARY_FILES]);
  });

  it('checks a text, and reports bad input as a result, not an exception', async () => {
    const ok = await checkText('use x86_64;\npage P { present: true, pfn: F0 }\nframe F0;\ncpu a { read P; }\n', { path: 'mine.race', symmetry: false });
    expect(ok.kind === 'checked' && ok.verdict.outcome).toBe('holds');
    const bad = await checkText('use x86_64;\ncpu a { read Q; }\n', { path: 'bad.race' });
    expect(bad.kind).toBe('bad-input');
    expect(bad.exit).toBe(EXIT.badInput);
    if (bad.kind === 'bad-input') expect(formatDiagnostic(bad.diagnostic)).toMatch(/^bad\.race:\d+:\d+: error: /);
  });

  it('runs the stages one by one to the same verdict', async () => {
    const model = modelOf(readSource(P2));
    const ts = compile(programGraph(model));
    const result = explore(ts, { symmetry: true });
    const verdict = verdictOf(model, result);
    const whole = await checkFile(P2, { por: false });
    expect(whole.kind === 'checked' && whole.result.states).toBe(result.states);
    const lost = verdict.properties.find((p) => p.property.name === 'no_lost_dirty')!;
    expect(traceOf(ts, result, lost.violation!).steps).toHaveLength(12);
  });

  it('is what `import ... from "dirtyrace"` gives (package exports, built)', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e',
      "const m = await import('dirtyrace'); console.log(typeof m.checkFile, typeof m.explore, m.EXIT.inconclusive);"], { cwd: ROOT, encoding: 'utf8' });
    expect(out.trim()).toBe('function function 3');
  });
});
