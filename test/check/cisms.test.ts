// C written by habit (issue 13.1): each form gets a located message naming what to write in
// dirtyrace, through the real `check` command (exit 2, file:line:col, caret), one case per C-ism.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';

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
  let stderr = '';
  const code = await runCli(['check', path], { stdout: () => {}, stderr: (s) => { stderr += s; } });
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

const CASES: Record<string, Case> = {
  'C `->`': {
    text: 'cpu c { let v = P->pte; }\n', col: 18, under: '->',
    message: "C's `->`: there are no pointers or structs", hint: /`let v = ptep_get\(P\);` reads it/,
  },
  'a C declaration `pte_t v = ...`': {
    text: 'cpu c { pte_t v = ptep_get(P); }\n', col: 9, under: 'pte_t v', message: 'C declaration: write `let v = ptep_get(P);`',
  },
  'a C declaration `int x`': {
    text: 'cpu c { int x = 0; }\n', col: 9, under: 'int x', message: 'C declaration: write `let x = 0;`',
  },
  'a C declaration of several words, no initial value': {
    text: 'cpu c {\n  unsigned long x;\n}\n', line: 9, col: 3, under: 'unsigned long x', message: 'C declaration: write `let x = VALUE;`',
  },
  'READ_ONCE(*ptep)': {
    text: 'cpu c { let v = READ_ONCE(*ptep); }\n', col: 17, under: 'READ_ONCE(*ptep)',
    message: 'write `ptep_get(P)` — a PTE is named by its page (`P`); there are no pointers',
  },
  'WRITE_ONCE(*ptep, v)': {
    text: 'cpu c { WRITE_ONCE(*ptep, 0); }\n', col: 9, under: 'WRITE_ONCE(*ptep, 0)', message: /^write `set_pte\(P, v\);`/,
  },
  'a pointer dereference': {
    text: 'cpu c { let x = *P; }\n', col: 17, under: '*P', message: 'there are no pointers: `*` is C', hint: /ptep_get\(P\)/,
  },
  'a bitwise &': {
    text: 'cpu c { let v = ptep_get(P); if (b & true) { skip; } }\n', col: 36, under: '&', message: 'there are no bit operations: `&` is C',
    hint: /write `&&`; test and set PTE flags with the model's helpers/,
  },
  'a multiplication': {
    text: 'cpu c { n = n * 2; }\n', col: 15, under: '*', message: 'there is no `*`: the arithmetic is `+` and `-`',
  },
  'a pointer declaration': {
    text: 'cpu c { pte_t *ptep = 0; }\n', col: 15, under: '*ptep', message: 'there are no pointers: `*` is C',
  },
  'spin_lock(&ptl)': {
    text: 'cpu c { spin_lock(&ptl); }\n', col: 9, under: 'spin_lock(&ptl)', message: 'write `lock(ptl);` — locks are named, not addressed',
  },
  'spin_unlock(&ptl)': {
    text: 'cpu c { lock(ptl); spin_unlock(&ptl); }\n', col: 20, under: 'spin_unlock(&ptl)', message: 'write `unlock(ptl);` — locks are named, not addressed',
  },
  'spin_lock(ptl), without the &': {
    text: 'cpu c { spin_lock(ptl); }\n', col: 9, under: 'spin_lock', message: "unknown procedure 'spin_lock'", hint: /write `lock\(ptl\);`/,
  },
  '`=` for `==`': {
    text: 'cpu c { if (b = true) { skip; } }\n', col: 15, under: '=', message: '`=` assigns; to compare write `==`',
  },
  '`++`': {
    text: 'cpu c { n++; }\n', col: 10, under: '++', message: 'there is no `++`: write `n = n + 1;`',
  },
  'prefix `++`': {
    text: 'cpu c { ++n; }\n', col: 9, under: '++', message: 'there is no `++`: write `n = n + 1;`',
  },
  '`-=`': {
    text: 'cpu c { n -= 2; }\n', col: 11, under: '-=', message: 'there is no `-=`: write `n = n - 2;`',
  },
  '#define': {
    text: '#define N 3\ncpu c { skip; }\n', col: 1, under: '#define N 3', message: 'there is no preprocessor: `#define` is C', hint: /param int\[LO\.\.HI\] N = 3;/,
  },
  '#include': {
    text: '#include <linux/mm.h>\n', col: 1, under: '#include <linux/mm.h>', message: /`#include` is C/, hint: /`use linux;`/,
  },
  'a C for loop': {
    text: 'cpu c { for (i = 0; i < 3; i++) { skip; } }\n', col: 9, under: 'for (i = 0; i < 3; i++)',
    message: "C's `for (...;...;...)`: write `for i in 0..2 { ... }`", hint: /includes both bounds/,
  },
  'a C for loop with <=': {
    text: 'cpu c { for (int j = 1; j <= 2; j++) { skip; } }\n', col: 9, under: 'for (int j = 1; j <= 2; j++)', message: /write `for j in 1\.\.2 \{ \.\.\. \}`/,
  },
  'a global `int n = 0;`: the range, not "did you mean int"': {
    text: 'int m = 0;\ncpu c { skip; }\n', col: 1, under: 'int', message: "unknown type 'int'", hint: /^ *= an int needs its range: write `int\[0\.\.3\]`/,
  },
  'a global `pte_t`': {
    text: 'pte_t saved;\ncpu c { skip; }\n', col: 1, under: 'pte_t', message: "unknown type 'pte_t'", hint: /the PTE type is `pte`/,
  },
  'READ_ONCE(P)': {
    text: 'cpu c { let v = READ_ONCE(P); }\n', col: 17, under: 'READ_ONCE', message: "unknown function 'READ_ONCE'", hint: /write `ptep_get\(P\)`/,
  },
  'a barrier': {
    text: 'cpu c { smp_mb(); }\n', col: 9, under: 'smp_mb', message: "unknown procedure 'smp_mb'", hint: /leave barriers out/,
  },
};

describe('C-isms: a located message naming the dirtyrace form', () => {
  for (const [name, c] of Object.entries(CASES)) it(name, () => expectCism(name, c));
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
