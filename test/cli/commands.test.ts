// The commands and flags beside `check`'s verdict: explain (and check --explain in text, JSON and
// HTML), the usage text, and the documentation's links.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './harness.js';

const P2 = 'scenarios/apply_as_clean/harvest-before-flush.race';

describe('explain', () => {
  it('prints the trace, then each step\'s window and the orderings the race needs; exits as check would', async () => {
    const r = await run('explain', P2);
    expect(r.code).toBe(0);
    const at = r.stdout.indexOf('explain no_lost_dirty: 6 of the 30 interleavings of these 12 steps keep the violation');
    expect(at).toBeGreaterThan(r.stdout.indexOf('violated no_lost_dirty after 12 steps'));
    expect(r.stdout).toMatch(/\n10 +9-10 +after 8, before 11 +writer +write P;\n/);
    expect(r.stdout).toContain('step 10 (writer: write P;)  before  step 11 (cleaner: wp_clean_post_vma(P, cleaned) > flush(p);)');
  });

  it('check --explain is the same; without it there is no explanation', async () => {
    const untimed = (s: string) => s.replace(/\d+\.\d\d s\b/g, 'T s');
    expect(untimed((await run('check', '--explain', P2)).stdout)).toBe(untimed((await run('explain', P2)).stdout));
    expect((await run('check', P2)).stdout).not.toContain('explain no_lost_dirty');
  });

  it('several files: each expected violation is explained under its summary line', async () => {
    const r = await run('explain', 'scenarios/tutorial');
    expect(r.code).toBe(0);
    for (const [file, prop] of [['apply_as_clean', 'no_lost_dirty'], ['deadlock', 'deadlock'], ['peterson-broken', 'mutual_exclusion']]) {
      expect(r.stdout).toMatch(new RegExp(`PASS +scenarios/tutorial/${file}\\.race .*\n {4}scenarios/tutorial/${file}\\.race:\n {4}explain ${prop}: `));
    }
    expect(r.stdout).not.toContain('peterson.race:\n');
  });

  it('a file with no violation says there is nothing to explain', async () => {
    expect((await run('explain', 'scenarios/apply_as_clean/harvest-after-flush.race')).stdout)
      .toContain('\nexplain: no property is violated; there is no counterexample to explain\n');
  });

  it('JSON: an explanations array per result with --explain, absent without', async () => {
    const doc = JSON.parse((await run('explain', '--format', 'json', P2)).stdout);
    const [x] = doc.results[0].explanations;
    expect(x).toMatchObject({ property: 'no_lost_dirty', complete: true, interleavings: 30, violating: 6 });
    expect(x.windows[9]).toEqual({ step: 10, actor: 'writer', text: 'write P;', failing: false, earliest: 9, latest: 10, after: [8], before: [11] });
    expect(x.orderings).toEqual([{ first: 3, then: 4, forced: false }, { first: 8, then: 10, forced: false }, { first: 10, then: 11, forced: false }]);
    expect(JSON.parse((await run('check', '--format', 'json', P2)).stdout).results[0].explanations).toBeUndefined();
  });

  it('HTML: the explanation as a section below the viewer', async () => {
    const html = join(mkdtempSync(join(tmpdir(), 'dirtyrace-')), 'r.html');
    await run('explain', '-q', '--html', html, P2);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<section id="explain">');
    expect(page).toContain('step 8 (cleaner: atomic { if (bitmap[P]) { saved = F0.version; bitmap[P] = false; } })  before  step 10 (writer: write P;)');
  });
});

describe('--state-at', () => {
  it('prints the state after the step below the trace; a bad value is a usage error', async () => {
    const r = await run('check', '--state-at', '3', P2);
    expect(r.stdout).toContain('state after step 3:\n  cleaner: next clean_record_pte_locked(P) > if (pte_dirty(ptep_get(p)))\n  writer: next write P;\n');
    for (const bad of ['-1', '1.5', 'x']) {
      const b = await run('check', `--state-at=${bad}`, P2);
      expect(b.code).toBe(2);
      expect(b.stderr).toContain(`--state-at takes a step number (0 for the initial state), found '${bad}'`);
    }
  });
});

describe('--help', () => {
  it('lists every command, and each command named there runs its own --help', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    const commands = [...r.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
    expect(commands).toEqual(['check', 'explain', 'simulate', 'init', 'export', 'crosscheck', 'lsp', 'worker']);
    for (const c of commands) expect(r.stdout).toContain(`dirtyrace ${c} `);
    for (const c of ['simulate', 'init', 'export', 'crosscheck', 'lsp', 'worker']) {
      const h = await run(c!, '--help');
      expect(h.code, c).toBe(0);
      expect(h.stdout, c).toMatch(new RegExp(`^usage: dirtyrace ${c} `));
    }
  });
});

describe('documentation', () => {
  const ROOT = resolve(import.meta.dirname, '..', '..');
  const docs: string[] = [];
  const walk = (d: string) => readdirSync(d).forEach((f) => {
    const p = join(d, f);
    if (f === 'node_modules' || f === 'dist' || f.startsWith('.')) return;
    if (statSync(p).isDirectory()) walk(p); else if (f.endsWith('.md')) docs.push(p);
  });
  walk(ROOT);

  it('every relative link in a Markdown file resolves to a file or directory of the repository', () => {
    const broken: string[] = [];
    let links = 0;
    for (const md of docs) {
      const text = readFileSync(md, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (!target || /^[a-z][a-z+.-]*:/.test(target)) continue;
        links++;
        const at = resolve(dirname(md), target);
        if (relative(ROOT, at).startsWith('..') || !existsSync(at)) broken.push(`${relative(ROOT, md)}: ${m[1]}`);
      }
    }
    expect(docs.length).toBeGreaterThan(10);
    expect(links).toBeGreaterThan(30);
    expect(broken).toEqual([]);
  });

  it("the README's explain sample is what explain prints", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = readme.split(`$ npx dirtyrace explain ${P2}\n...\n`)[1]!.split('\n```')[0]!;
    expect(block.split('\n').length).toBeGreaterThan(15);
    expect((await run('explain', P2)).stdout).toContain(`\n${block}\n`);
  });

  it('every repository path the README and docs mention exists (placeholders aside)', () => {
    const missing: string[] = [];
    for (const md of docs.filter((d) => relative(ROOT, d) === 'README.md' || relative(ROOT, d).startsWith('docs'))) {
      const text = readFileSync(md, 'utf8');
      for (const m of text.matchAll(/(?<![\w/.-])((?:src|test|docs|scenarios|proofs|models|scripts|bench)\/[\w./*-]*[\w/*])/g)) {
        const path = m[1]!;
        if (path.includes('*') || path.includes('NAME')) continue;
        if (!existsSync(join(ROOT, path))) missing.push(`${relative(ROOT, md)}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
