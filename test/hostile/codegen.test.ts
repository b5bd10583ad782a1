// Generated JavaScript stays valid for every expression the checker accepts (issue 12 item 2).
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { modelOf } from '../../src/check/index.js';
import { compileModel, OK } from '../../src/compile/index.js';
import { explore } from '../../src/explore/bfs.js';
import { scenarioFile } from './cli.js';

const scenario = (body: string) => `use x86_64;
page P { present: true, pfn: F0 }
frame F0;
disable fill; disable evict;
int[-5..5] x = 0;
${body}
`;

describe('negation', () => {
  it.each([
    ['of a negative loop index', 'cpu a { for i in -2..0 { x = -i; } }', 0],
    ['of a negative literal', 'cpu a { x = -(-2); }', 2],
    ['twice', 'cpu a { x = 3; x = - -x; }', 3],
  ])('%s compiles, runs and computes the value', (_, cpu, want) => {
    const ts = compileModel(modelOf({ path: 'neg.race', text: scenario(`${cpu}\nfinal computed: x == ${want};`) }));
    const s = ts.initialStates()[0]!;
    let steps = 0;
    while (ts.cpuStep(0, s) === OK) steps++;
    expect(steps).toBeGreaterThan(0);
    expect(explore(ts).violations.every((v) => v === undefined)).toBe(true);
  });
});

describe('negation of a negative parameter', () => {
  it('`x = -K;` with K = -2 from a library, or -3 from the use line, checks and holds', async () => {
    const lib = scenarioFile('negk.lib', 'library negk;\nparam int[-3..3] K = -2;\n');
    const scenario = (use: string, want: number) => scenarioFile('n.race', `use x86_64${use};\nuse negk;\npage P { present: true, pfn: F0 }\nframe F0;\nint[-5..5] x = 0;\ncpu a { x = -K; }\nfinal computed: x == ${want};\n`);
    for (const [use, want] of [['', 2], ['(K = -3)', 3]] as const) {
      let out = '';
      const code = await runCli(['check', '--models', dirname(lib), scenario(use, want)], { stdout: (s) => { out += s; }, stderr: (s) => { out += s; } });
      expect(out).toMatch(/^holds {2}all properties/);
      expect(code).toBe(0);
    }
  });
});
