// Libraries that declare their own state and use other libraries (issue 10, items 1 and 12): a
// scenario uses the state without declaring it, may declare it again the same way, is told what
// to write when it declares it differently, and an error inside a library procedure is reported
// at the scenario's call with the library line as a note.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { Diagnostic, formatDiagnostic, lineCol } from '../../src/lang/source.js';
import { checked, verdictOf } from '../gen/checked.js';

const HEAD = `use x86_64;
use linux;
page P { present: true, write: true, dirty: true, accessed: true, pfn: F0 }
frame F0;
`;

function error(text: string, modelDirs?: string[]): Diagnostic {
  try {
    modelOf({ path: 'lib.race', text }, { modelDirs });
  } catch (e) {
    if (e instanceof Diagnostic) return e;
    throw e;
  }
  throw new Error('expected an error');
}

/** Bug 1cf35d47712d's race (zap ‖ writeback ‖ a task holding a writable TLB entry) with the unmapper's zap given. */
function zapRace(unmap: string): string {
  return `${HEAD}ghost int[0..3] saved = 0;
cpu unmapper { tlb_gather_mmu(); ${unmap} }
cpu writeback { let dirty = folio_clear_dirty_for_io(P, F0); if (dirty) { saved = F0.version; } }
cpu task { write P; write P; }
fault write(p) { sigsegv; }
final no_lost_write: saved == F0.version || folio_dirty[F0];
`;
}

describe('zap as Linux v6.12 does it (models/linux/memory.lib)', () => {
  it('zap_pte_range marks the folio and flushes before the unlock: no write is lost', async () => {
    const r = await checked(zapRace('let old = zap_pte_range(P); tlb_finish_mmu(P, pte_present(old));'), 'zap.race');
    expect(verdictOf(r, 'no_lost_write').status).toBe('holds');
  });

  it('the bare clear with the mark and the flush after the unlock (the pre-2014 order) loses one', async () => {
    const r = await checked(zapRace('let old = zap_pte(P); if (pte_dirty(old)) { folio_mark_dirty(F0); } tlb_finish_mmu(P, pte_present(old));'), 'zap.race');
    expect(verdictOf(r, 'no_lost_write').status).toBe('violated');
  });
});

describe('MADV_FREE as Linux v6.12 does it (models/linux/madvise.lib)', () => {
  it('clears the folio\'s dirty flag and the PTE\'s, and flushes the gathered page', async () => {
    const text = `${HEAD}bool folio_dirty[frame] = true;
cpu c { madvise_free(P); }
final folio_clean: !folio_dirty[F0];
final pte_clean: !pte_dirty(ptep_get(P));
final no_dirty_entry: !(tlb(c, P).valid && tlb(c, P).dirty);
expect holds;
`;
    const r = await checked(text, 'madv.race');
    for (const p of ['folio_clean', 'pte_clean', 'no_dirty_entry']) expect(verdictOf(r, p).status).toBe('holds');
  });
});

describe('library-declared state', () => {
  it('a scenario uses ptl, tlb_flush_pending and bitmap without declaring them', async () => {
    const text = `${HEAD}cpu c { clean_record_shared_mapping_range(P); }
cpu w { write P; }
fault write(p) { handle_pte_write_fault(p); }
final recorded: F0.version == 0 || pte_dirty(ptep_get(P)) || bitmap[P];
expect holds;
`;
    const r = await checked(text, 'lib.race');
    expect(verdictOf(r, 'recorded').status).toBe('holds');
    // Only the state the scenario touches is in the model.
    expect(r.ts.model.globals.map((g) => g.name).sort()).toEqual(['bitmap', 'tlb_flush_pending']);
    expect(r.ts.model.locks.map((l) => l.name)).toEqual(['ptl']);
  });

  it('library state no statement touches is not part of the model', () => {
    const m = modelOf({ path: 'lib.race', text: `${HEAD}cpu c { write P; }\n` });
    expect(m.globals).toEqual([]);
    expect(m.locks).toEqual([]);
  });

  it('the old declarations keep working, and the scenario\'s range and initial value replace the library\'s', () => {
    const m = modelOf({ path: 'lib.race', text: `${HEAD}spinlock ptl;\nint[0..1] tlb_flush_pending = 1;\nbool bitmap[page];\ncpu c { clear_refs_soft_dirty(P); }\n` });
    const pending = m.globals.find((g) => g.name === 'tlb_flush_pending')!;
    expect(pending.type).toEqual({ k: 'int', lo: 0, hi: 1 });
    expect(pending.init).toEqual([1]);
    expect(pending.span.file.path).toBe('lib.race');
    // The scenario's own declarations stay, used or not, in its order; ids are positions.
    expect(m.globals.map((g) => [g.id, g.name])).toEqual([[0, 'tlb_flush_pending'], [1, 'bitmap'],
      // then the library state the used procedures touch (clear_refs' mmu_notifier range)
      [2, 'spte_valid'], [3, 'spte_writable'], [4, 'mmu_invalidate_in_progress'], [5, 'mmu_invalidate_seq']]);
  });

  it('a narrower range is reported as overflow when a run goes past it', async () => {
    const text = `${HEAD}int[0..0] tlb_flush_pending = 0;\ncpu c { clear_refs_soft_dirty(P); }\nexpect violated overflow;\n`;
    expect(verdictOf(await checked(text, 'lib.race'), 'overflow').status).toBe('violated');
  });

  it('a declaration of another shape is refused at the scenario, saying what the library declares', () => {
    for (const [decl, lib] of [['bool ptl;', 'spinlock ptl;'], ['rwsem ptl;', 'spinlock ptl;'], ['spinlock ptl[page];', 'spinlock ptl;'],
      ['bool tlb_flush_pending;', 'int[0..31] tlb_flush_pending = 0;'], ['bool bitmap;', 'bool bitmap[page];']] as const) {
      const d = error(`${HEAD}${decl}\ncpu c { skip; }\n`);
      expect(d.span.file.path).toBe('lib.race');
      expect(lineCol(d.span.file, d.span.start)).toEqual({ line: 5, col: 1 });
      expect(d.message).toContain(`declared by a used library as \`${lib}\``);
      expect(d.hint).toMatch(/drop this line/);
    }
  });

  it('per-frame fields: a global indexed by frame, read and written with a frame index', async () => {
    const text = `use x86_64;
page P { present: true, write: true, pfn: F0 }
page Q { present: true, write: true, pfn: F1 }
frame F0, F1;
bool folio_dirty[frame];
cpu c { let f = frame_of(ptep_get(Q)); folio_dirty[f] = true; }
final q_only: folio_dirty[F1] && !folio_dirty[F0];
expect holds;
`;
    const r = await checked(text, 'frame.race');
    expect(verdictOf(r, 'q_only').status).toBe('holds');
    expect(r.ts.model.globals[0]!.init).toEqual([0, 0]);
    const d = error(text.replace('folio_dirty[f] = true', 'folio_dirty[P] = true'));
    expect(d.message).toContain("index of 'folio_dirty'");
  });
});

describe('libraries using libraries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dirtyrace-lib-'));
  mkdirSync(join(dir, 'top'));
  writeFileSync(join(dir, 'top.lib'), 'library top;\nuse part;\nuse shared;\nproc go() { bump(); }\n');
  writeFileSync(join(dir, 'top', 'part.lib'), 'library part;\nuse shared;\nproc bump() { n = n + 1; }\n');
  writeFileSync(join(dir, 'top', 'shared.lib'), 'library shared;\nint[0..2] n = 0;\nproc broken() { lock(nolock); }\n');
  writeFileSync(join(dir, 'cycle.lib'), 'library cycle;\nuse cycle2;\n');
  writeFileSync(join(dir, 'cycle2.lib'), 'library cycle2;\nuse cycle;\n');
  const scenario = (body: string, uses = 'use top;') => `use x86_64;\n${uses}\npage P { present: true, pfn: F0 }\nframe F0;\n${body}`;

  it('loads the parts from the folder named after the library, each once', async () => {
    const r = await checked(scenario('cpu a { go(); }\ncpu b { go(); }\nfinal two: n == 2;\n'), join(dir, 's.race'));
    expect(verdictOf(r, 'two').status).toBe('holds');
    expect(r.report.provenance.modelFiles.filter((f) => f.endsWith('.lib')).map((f) => f.replace(/.*\//, ''))).toEqual(['shared.lib', 'part.lib', 'top.lib']);
  });

  it('an error inside a library procedure is reported at the call, with the library line as a note', () => {
    const d = error(scenario('cpu a {\n  broken();\n}\n'), [dir]);
    expect(d.span.file.path).toBe('lib.race');
    expect(lineCol(d.span.file, d.span.start)).toEqual({ line: 6, col: 3 });
    expect(d.message).toBe("in 'broken': 'nolock' is not a declared lock");
    expect(d.note!.span.file.path).toBe(join(dir, 'top', 'shared.lib'));
    expect(lineCol(d.note!.span.file, d.note!.span.start)).toEqual({ line: 3, col: 22 });
    expect(formatDiagnostic(d)).toContain(`= note: ${join(dir, 'top', 'shared.lib')}:3:22: the line it arises at, inside the procedure: proc broken() { lock(nolock); }`);
  });

  it('a misuse of a library procedure (a lock inside atomic) points at the scenario too', () => {
    const d = error(`${HEAD}cpu c { atomic { clear_refs_soft_dirty(P); } }\n`);
    expect(d.span.file.path).toBe('lib.race');
    expect(d.message).toMatch(/^in 'clear_refs_soft_dirty': a lock operation cannot appear inside atomic/);
    expect(d.note!.span.file.path).toMatch(/models\/linux\/task_mmu\.lib$/);
  });

  it('a cycle of uses, and arguments on a library\'s use, are refused', () => {
    expect(error(scenario('cpu a { skip; }\n', 'use cycle;'), [dir]).message).toMatch(/cycle/);
    writeFileSync(join(dir, 'args.lib'), 'library args;\nuse shared(x = 1);\n');
    mkdirSync(join(dir, 'args'));
    writeFileSync(join(dir, 'args', 'shared.lib'), 'library shared;\n');
    expect(error(scenario('cpu a { skip; }\n', 'use args;'), [dir]).hint).toMatch(/scenario's `use` line/);
  });
});
