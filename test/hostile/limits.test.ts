// Limits that limit (issue 12 items 3-6, 10): every run ends with exit 3 and the numbers reached,
// or a model past a stated bound is refused with a located error (exit 2).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { compileModel } from '../../src/compile/index.js';
import { explore } from '../../src/explore/bfs.js';
import { runCli } from '../../src/cli/run.js';
import { cli, LONG_SEARCH, scenarioFile } from './cli.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } });
  return { code, stdout, stderr };
}

/** Four independent writers: POR takes most steps alone. */
const WIDE = `use x86_64;
page P { present: true, write: true, pfn: F0 }
frame F0;
int[0..3] a = 0; int[0..3] b = 0; int[0..3] c = 0; int[0..3] d = 0;
cpu w0 { a = 1; a = 2; a = 3; }
cpu w1 { b = 1; b = 2; b = 3; }
cpu w2 { c = 1; c = 2; c = 3; }
cpu w3 { d = 1; d = 2; d = 3; write P; }
invariant small: a + b + c + d <= 12;
`;

describe('--max-states', () => {
  const ts = compileModel(modelOf({ path: 'wide.race', text: WIDE }));
  const full = explore(ts, { por: true });

  it.each([1, 2, 7, 50, 100, 1000])('never stores more than %i states, with or without POR, exact or hash-compacted', (cap) => {
    for (const [por, hashCompact] of [[true, false], [false, false], [true, true]]) {
      const r = explore(ts, { por, hashCompact, maxStates: cap });
      const all = por ? full : explore(ts, { por });
      expect(r.states).toBeLessThanOrEqual(cap);
      if (all.states > cap) expect(r).toMatchObject({ states: cap, limit: 'states' });
      else expect(r.limit).toBeUndefined();
    }
  });

  it('a run of POR steps taken alone is capped too (it stored 808 states under a cap of 50)', () => {
    const chain = compileModel(modelOf({ path: 'chain.race', text: `use x86_64;
page P { present: true, write: true, pfn: F0 }
frame F0;
cpu w0 { let i: int[0..200] = 0; while (i < 200) bound 200 { i = i + 1; } }
cpu w1 { let j: int[0..200] = 0; while (j < 200) bound 200 { j = j + 1; } write P; }
` }));
    expect(explore(chain, { por: true, maxStates: 50 })).toMatchObject({ states: 50, limit: 'states' });
  });

  it('a cap equal to the number of reachable states is no limit', () => {
    expect(explore(ts, { por: true, maxStates: full.states }).limit).toBeUndefined();
    expect(explore(ts, { por: true, maxStates: full.states - 1 }).limit).toBe('states');
  });

  it.each(['0', '1.5', '1e3', '0x10', 'many'])('refuses --max-states %j: exit 2', async (v) => {
    const r = await run('check', `--max-states=${v}`, 'scenarios/tutorial/peterson.race');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--max-states takes a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, found '${v}'`);
  });

  it('the CLI ends with exit 3 and the numbers reached (POR on)', async () => {
    const dir = mkdtempSync('/tmp/limits-');
    writeFileSync(`${dir}/wide.race`, WIDE);
    const r = await run('check', '--max-states', '50', `${dir}/wide.race`);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^inconclusive {2}\(state limit reached: x86_64, 4 CPUs, 1 page; 50 states, \d+ transitions/);
  });
});

describe('--time-limit', () => {
  it('is looked at by work done, so a model with a thousand actions a state stops within a few states (the old cadence stored 308 736)', async () => {
    // 31 CPUs and 16 pages: 31 + 2 × 31 × 16 = 1 023 actions a state. Checking the clock every
    // 1 024 states, as before, would expand 1 024 states (some 30 000 stored) before stopping.
    const pages = Array.from({ length: 16 }, (_, i) => `page Q${i} { present: true, write: true, pfn: F0 }`).join('\n');
    const cpus = Array.from({ length: 31 }, (_, i) => `cpu c${i} { write Q${i % 16}; read Q${(i + 1) % 16}; }`).join('\n');
    const r = await run('check', '--time-limit', '0.001', '--no-por', '--no-symmetry', scenarioFile('wide.race', sized(pages, cpus)));
    expect(r.code).toBe(3);
    const m = /^inconclusive {2}\(time limit reached: x86_64, 31 CPUs, 17 pages; (\d+) states/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(2000);
  });
});

describe('--memory-limit', () => {
  it('ends the run with exit 3 and the numbers reached, in a child process', () => {
    // Bounded by work: without the memory limit the state cap would end it (exit 3, "state limit").
    const r = cli('check', '-q', '--no-por', '--memory-limit', '64', '--max-states', '14000000', scenarioFile('long.race', LONG_SEARCH));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    const m = /^inconclusive {2}\(memory limit reached with (\d+) MiB of states stored: x86_64, 5 CPUs, 1 page; (\d+) states, \d+ transitions, search depth \d+/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(64);
    expect(Number(m![2])).toBeLessThan(14_000_000);
    expect(r.stdout).toContain('--memory-limit 64');
  });

  it('is a JSON limit like the others', () => {
    const r = cli('check', '-q', '--no-por', '--memory-limit', '40', '--max-states', '14000000', '--format', 'json', scenarioFile('long.race', LONG_SEARCH));
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as { results: { stats: { limit: string } }[] }).results[0]!.stats.limit).toBe('memory');
  });

  it.each(['0', '-5', 'lots'])('refuses %j: exit 2', async (v) => {
    const r = await run('check', `--memory-limit=${v}`, 'scenarios/tutorial/peterson.race');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--memory-limit takes a positive number, found '${v}'`);
  });
});

/** A checked scenario's text with `decls` and `cpus` in place. */
const sized = (decls: string, cpus: string, props = '') => `use x86_64;
page P { present: true, write: true, pfn: F0 }
frame F0;
${decls}
${cpus}
${props}`;

/** The located error of `text`: exit 2, `file:line:col: error: message`. */
async function refusal(text: string) {
  const file = scenarioFile('big.race', text);
  const r = await run('check', file);
  expect(r.code).toBe(2);
  expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  return r.stderr.replace(file, 'big.race');
}

describe('the size of a model is bounded, with a located error past a bound', () => {
  it('CPUs: at most 31 (1 000 declared is refused at the 32nd)', async () => {
    const cpus = Array.from({ length: 1000 }, (_, i) => `cpu c${i} { read P; }`).join('\n');
    expect(await refusal(sized('', cpus))).toContain('big.race:36:5: error: more than 31 CPUs: at most 31 are supported');
    const groups = Array.from({ length: 3 }, (_, i) => `cpu g${i}[16] { read P; }`).join('\n');
    expect(await refusal(sized('', groups))).toContain('big.race:6:5: error: more than 31 CPUs');
    expect(await run('check', '-q', scenarioFile('ok.race', sized('disable fill; disable evict;', Array.from({ length: 31 }, (_, i) => `cpu c${i} { skip; }`).join('\n'))))).toMatchObject({ code: 0 });
  });

  it('pages and frames: at most 128 each', async () => {
    const pages = Array.from({ length: 130 }, (_, i) => `page Q${i} { present: true, pfn: F0 }`).join('\n');
    expect(await refusal(sized(pages, 'cpu a { read P; }'))).toContain('big.race:131:6: error: more than 128 pages: at most 128 are supported');
    const frames = `frame ${Array.from({ length: 130 }, (_, i) => `G${i}`).join(', ')};`;
    expect(await refusal(sized(frames, 'cpu a { read P; }'))).toMatch(/big\.race:4:\d+: error: more than 128 frames/);
  });

  it('state slots: at most 16 384 (31 CPUs with many per-CPU arrays)', async () => {
    const arrays = Array.from({ length: 600 }, (_, i) => `int[0..1] v${i}[cpu] = 0;`).join('\n');
    const msg = await refusal(sized(`disable fill; disable evict;\n${arrays}`, Array.from({ length: 31 }, (_, i) => `cpu c${i} { skip; }`).join('\n')));
    expect(msg).toMatch(/big\.race:\d+:1: error: the state has \d+ slots .*; at most 16384 are supported/);
  });

  it('actions: at most 65 535 (an architecture of 36 hardware rules, 31 CPUs, 64 pages), refused at the page that crosses it', async () => {
    const rules = Array.from({ length: 34 }, (_, i) => `hardware h${i} { if (tlb.valid) { tlb = empty; } }`);
    const arch = scenarioFile('manyrules.arch', ['arch manyrules extends x86_64;', ...rules, ''].join('\n'));
    const pages = Array.from({ length: 64 }, (_, i) => `page P${i} { present: true, pfn: F0 }`);
    const cpus = Array.from({ length: 31 }, (_, i) => `cpu c${i} { skip; }`);
    const file = scenarioFile('s.race', ['use manyrules;', ...pages, 'frame F0;', ...cpus, ''].join('\n'));
    const r = await run('check', '--models', dirname(arch), file);
    expect(r.code).toBe(2);
    // 31 + 36 × 31 × 59 > 65 535 >= 31 + 36 × 31 × 58: the 59th page, on line 60.
    expect(r.stderr).toContain(`${file}:60:1: error: the model has 71455 actions (31 CPUs, and 36 hardware rules for each CPU and page); at most 65535 are supported`);
  });

  it('invariants and finals: at most 31 together, refused at the 32nd', async () => {
    const props = Array.from({ length: 40 }, (_, i) => `${i % 2 ? 'final' : 'invariant'} p${i}: F0.version < 3;`).join('\n');
    const msg = await refusal(sized('', 'cpu a { write P; }', props));
    expect(msg).toContain('big.race:37:7: error: more than 31 invariant and final properties: at most 31 are supported');
    expect(msg).toContain('join some into one with &&');
    const ok = Array.from({ length: 31 }, (_, i) => `invariant p${i}: F0.version < 3;`).join('\n');
    expect((await run('check', '-q', scenarioFile('ok.race', sized('', 'cpu a { write P; }', ok)))).code).toBe(0);
  });
});

describe('inlining is bounded by the statements it makes', () => {
  /** `levels` procedures, each calling the one below twice: 2^levels statements inlined. */
  const doubling = (levels: number) => [
    'proc p0() { skip; }',
    ...Array.from({ length: levels - 1 }, (_, i) => `proc p${i + 1}() { p${i}(); p${i}(); }`),
  ].join('\n');

  it('29 levels are refused at the call that crosses 100 000 statements', async () => {
    const msg = await refusal(sized(doubling(29), 'cpu a { p28(); }'));
    expect(msg).toMatch(/big\.race:\d+:\d+: error: inlining 'p\d+' here \(inside p28 → p27 → .*\) makes the model larger than 100000 statements/);
  });

  it('nested for loops likewise', async () => {
    const loops = 'cpu a { for i in 0..63 { for j in 0..63 { for k in 0..63 { skip; } } } }';
    expect(await refusal(sized('', loops))).toMatch(/big\.race:5:\d+: error: unrolling this for loop makes the model larger than 100000 statements/);
  });

  it('14 levels (16 384 calls of p0) are accepted', async () => {
    const r = await run('check', '-q', scenarioFile('ok.race', sized(doubling(14), 'cpu a { p13(); }')));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
