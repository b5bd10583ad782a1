// Generated JavaScript stays valid for every expression the checker accepts (issue 12 item 2).
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { compileModel, OK } from '../../src/compile/index.js';
import { explore } from '../../src/explore/bfs.js';

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
