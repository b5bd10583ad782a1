// C written by habit (issue 13.1): each form gets a located message naming what to write in
// dirtyrace, through the real `check` command (exit 2, file:line:col, caret), one case per C-ism
// (cisms.cases.json).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../cli/harness.js';

/** A valid prelude of 7 lines; each case adds line 8 (and on). */
const HEAD = `use x86_64;
use linux;
page P { present: true, write: true, pfn: F0 }
frame F0;
spinlock ptl;
bool b = false;
int[0..3] n = 0;
`;

const dir = mkdtempSync(join(tmpdir(), 'dirtyrace-cisms-'));

interface Case {
  /** What follows HEAD. */
  text: string;
  col: number;
  /** The text the caret marks. */
  under: string;
  message: string | RegExp;
  hint?: string | RegExp;
  line?: number;
}

async function expectCism(name: string, c: Case): Promise<void> {
  const path = join(dir, `${name.replace(/\W+/g, '_')}.race`);
  writeFileSync(path, HEAD + c.text);
  const { code, stderr } = await run('check', path);
  expect(code, stderr).toBe(2);
  const [head, , src, caret, hint] = stderr.split('\n');
  const line = c.line ?? 8;
  expect(head, stderr).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:${c.col}: error: `));
  expect(head!.slice(head!.indexOf(' error: ') + 8), stderr).toMatch(c.message);
  const at = src!.indexOf('| ') + 2;
  const marks = caret!.slice(at);
  const first = marks.indexOf('^');
  expect(first + 1, stderr).toBe(c.col);
  expect(src!.slice(at + first, at + marks.length), stderr).toBe(c.under);
  if (c.hint !== undefined) expect(hint, stderr).toMatch(c.hint);
  expect(stderr).not.toMatch(/\bat .*\.js:\d+|syntax error: expected/);
}

/** The cases, as data: `{ "re": SOURCE }` stands for a regular expression. */
type Pattern = string | { re: string };
const CASES = (JSON.parse(readFileSync(join(import.meta.dirname, 'cisms.cases.json'), 'utf8')) as (Omit<Case, 'message' | 'hint'> & { name: string; message: Pattern; hint?: Pattern })[])
  .map(({ name, message, hint, ...c }) => ({ name, ...c, message: pattern(message), hint: hint === undefined ? undefined : pattern(hint) }));

function pattern(p: Pattern): string | RegExp {
  return typeof p === 'string' ? p : new RegExp(p.re);
}

describe('C-isms: a located message naming the dirtyrace form', () => {
  for (const { name, ...c } of CASES) it(name, () => expectCism(name, c));
});

describe('name suggestions keep the meaning', () => {
  it('ptep_clear_flush_young is missing from the library, not a typo of ptep_clear_flush', async () => {
    await expectCism('young', {
      text: 'cpu c { ptep_clear_flush_young(P); }\n', col: 9, under: 'ptep_clear_flush_young',
      message: "unknown procedure 'ptep_clear_flush_young'",
      hint: /'ptep_clear_flush_young' is a kernel function the used models and libraries do not have/,
    });
  });

  it('a kernel function the library lacks is named as such, not corrected (wp_page_copy is not wp_page_reuse, nor pte_clear pte_clear_soft_dirty)', async () => {
    for (const [name, col] of [['wp_page_copy', 9], ['pte_clear', 9]] as const) {
      await expectCism(name, {
        text: `cpu c { ${name}(P); }\n`, col, under: name, message: `unknown procedure '${name}'`,
        hint: new RegExp(`^ *= '${name}' is a kernel function the used models and libraries do not have: write it as a proc in the scenario`),
      });
    }
  });

  it('a pmd helper: the models have PTEs only', async () => {
    await expectCism('pmd', {
      text: 'cpu c { let d = pmd_dirty(ptep_get(P)); }\n', col: 17, under: 'pmd_dirty', message: "unknown function 'pmd_dirty'",
      hint: /one page-table level, the PTEs/,
    });
  });

  it('a real typo is still corrected', async () => {
    await expectCism('typo', {
      text: 'cpu c { ptep_clear_flsh(P); }\n', col: 9, under: 'ptep_clear_flsh', message: "unknown procedure 'ptep_clear_flsh'",
      hint: /did you mean 'ptep_clear_flush'\?/,
    });
  });

  it('no suggestion drops or adds a word of a name', async () => {
    await expectCism('words', {
      text: 'cpu c { let v = pte_mkclean_young(ptep_get(P)); }\n', col: 17, under: 'pte_mkclean_young',
      message: "unknown function 'pte_mkclean_young'", hint: /'pte_mkclean' is a different function/,
    });
  });
});
