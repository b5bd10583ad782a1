// Cover goals (`reachable NAME: e;`) and final properties judged in no state (issue 15 §2): a
// reviewer proves the racy interleaving is possible before trusting a "holds".
import { describe, expect, it } from 'vitest';
import { checkText, formatDiagnostic, junitXml, traceOf, type RunOptions } from '../../src/index.js';
import { checked as checkedText, verdictOf, type Checked } from '../gen/checked.js';
import { exploreReference } from '../../src/reference/index.js';


const head = `use x86_64;
page P { present: true, write: true, accessed: true, dirty: true, pfn: F0 }
frame F0;
disable evict;
bool b = false;
cpu a { write P; b = true; }
cpu c { read P; }
`;

const checked = (text: string, opts: Partial<RunOptions> = {}) => checkedText(text, 'cover.race', opts);

const statusOf = (r: Checked, name: string) => verdictOf(r, name);

describe('cover goals', () => {
  it('a reachable goal is reached with its shortest witness, and the check passes', async () => {
    const r = await checked(`${head}reachable written: b && F0.version == 1;\n`);
    const p = statusOf(r, 'written');
    expect(p.status).toBe('reached');
    expect(p.violation!.depth).toBe(2);
    expect(r.exit).toBe(0);
    // The witness trace ends in a state satisfying the goal.
    const trace = traceOf(r.ts, r.result, p.violation!);
    expect(trace.steps).toHaveLength(2);
    expect(trace.final[r.ts.layout.versionBase]).toBe(1);
    // The reference interpreter finds the same witness depth.
    expect(exploreReference(r.model).properties.find((q) => q.name === 'written')).toEqual({ name: 'written', violated: true, depth: 2 });
  });

  it('a goal no state satisfies is never reached: the check fails (exit 1), in text and JUnit', async () => {
    const r = await checked(`${head}reachable twice: F0.version == 2;\n`, { reports: true });
    expect(statusOf(r, 'twice').status).toBe('unreached');
    expect(r.verdict.outcome).toBe('violated');
    expect(r.exit).toBe(1);
    const xml = junitXml([r.report]);
    expect(xml).toMatch(/<testcase[^>]*name="twice"[^>]*>\s*<failure[^>]*type="unreached"/);
  });

  it('a goal is unknown, not unreached, when a limit stops the search', async () => {
    const r = await checked(`${head}reachable twice: F0.version == 2;\n`, { maxStates: 3 });
    expect(statusOf(r, 'twice').status).toBe('unknown');
    expect(r.exit).toBe(3);
  });

  it('every reduction and thread count reaches the same goals', async () => {
    const text = `${head.replace('cpu a {', 'cpu w[2] {').replace('write P; b = true;', 'write P; b = !b;')}reachable flipped: b;\nreachable never: F0.version == 3;\n`;
    const variants = [{}, { por: false, symmetry: false }, { hashCompact: true }, { threads: 2 }];
    const results = await Promise.all(variants.map((o) => checked(text, o)));
    for (const r of results) {
      expect(statusOf(r, 'flipped').status).toBe('reached');
      expect(statusOf(r, 'never').status).toBe('unreached');
    }
  });

  it('`expect violated` naming a cover goal is a located error that says what to write', async () => {
    const r = await checkText(`${head}reachable written: b;\nexpect violated written;\n`, { path: 'cover.race' });
    expect(r.kind).toBe('bad-input');
    if (r.kind !== 'bad-input') return;
    expect(formatDiagnostic(r.diagnostic)).toMatch(/^cover\.race:9:17: .*cover goal/);
    expect(r.exit).toBe(2);
  });

  it('`reachable` stays usable as a variable name', async () => {
    const r = await checked(`${head}bool reachable = false;\ninvariant ok: !reachable;\n`);
    expect(statusOf(r, 'ok').status).toBe('holds');
  });
});

describe('final properties judged in no state', () => {
  const blocked = 'use x86_64;\npage P { present: true, pfn: F0 }\nframe F0;\nspinlock l;\ncpu a { lock(l); lock(l); }\nfinal nothing: false;\nexpect violated deadlock;\n';

  it('count the final states and warn (an error under --strict) when there are none', async () => {
    const r = await checked(blocked);
    expect(r.exit).toBe(0);
    expect(r.result.finalStates).toBe(0);
    expect(r.analysis.warnings.map((w) => w.kind)).toContain('no-final-state');
    const strict = await checked(blocked, { strict: true });
    expect(strict.exit).toBe(1);
  });

  it('do not warn when some run finishes', async () => {
    const r = await checked(`${head}final fine: true;\n`);
    expect(r.result.finalStates).toBeGreaterThan(0);
    expect(r.analysis.warnings.map((w) => w.kind)).not.toContain('no-final-state');
  });
});
