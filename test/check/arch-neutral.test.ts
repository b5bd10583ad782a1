// Architecture-neutral scenarios: `page P = EXPR;` built with the models' helpers checks under
// every architecture model, and `expect on ARCH ...` picks the expectation for the model checked.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelOf } from '../../src/check/index.js';
import { compileModel } from '../../src/compile/index.js';
import { explore } from '../../src/explore/bfs.js';
import { verdictOf } from '../../src/explore/verdict.js';
import { readSource } from '../../src/check/load.js';
import { runCli } from '../../src/cli/run.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MODELS = [join(ROOT, 'models')];
const ARCHS = readdirSync(join(ROOT, 'models')).filter((f) => f.endsWith('.arch')).map((f) => f.replace(/\.arch$/, ''));

const SCENARIO = `use x86_64;
use linux;
page P = pte_mkyoung(pte_mkwrite(mk_pte(F0)));
frame F0;
spinlock ptl;
cpu writer { write P; write P; }
fault write(p) { handle_pte_write_fault(p); }
final written: F0.version == 2 && pte_dirty(ptep_get(P));
expect holds;
`;

function check(text: string, arch?: string, path = 'neutral.race') {
  const m = modelOf({ path, text }, { arch, modelDirs: MODELS });
  return { m, v: verdictOf(m, explore(compileModel(m), {})) };
}

describe('architecture-neutral page declarations', () => {
  it.each(ARCHS)('the same scenario text checks under %s', (arch) => {
    const { m, v } = check(SCENARIO, arch);
    expect(m.arch.name).toBe(arch);
    expect(v.exit, v.properties.filter((p) => p.status !== 'holds').map((p) => p.property.name).join()).toBe(0);
  });

  it('mk_pte is present, read-only, clean and old on every model', () => {
    const text = `${SCENARIO.replace('page P = pte_mkyoung(pte_mkwrite(mk_pte(F0)));', 'page P = mk_pte(F0);')}`;
    for (const arch of ARCHS) {
      const { m } = check(text, arch);
      const set = m.arch.pteFields.filter((f, i) => f.type.k === 'bool' && m.pages[0]!.init[i] === 1).map((f) => f.name);
      expect(set, arch).toEqual(arch.startsWith('arm64') ? ['valid', 'rdonly'] : ['present']);
    }
  });
});

describe('expect on ARCH', () => {
  const file = join(ROOT, 'scenarios/arm64_2024/access-flags-soft-dirty-mask.race');
  const text = readSource(file).text;

  it('picks the most specific matching line, by parameter values', () => {
    expect(check(text, undefined, file).m.expectation?.violated).toEqual(['no_lost_write']);
    expect(check(text, 'arm64_softdirty_2024(keep_soft_dirty = true)', file).m.expectation?.violated).toEqual([]);
    expect(check(text, 'x86_64', file).m.expectation?.violated).toEqual([]);
    expect(check(text, 'arm64', file).m.expectation).toBeUndefined();
  });

  it('check without --arch runs the scenario under every model its expect lines name, side by side', async () => {
    let out = '';
    const code = await runCli(['check', '--no-trace', file], { stdout: (s) => { out += s; }, stderr: (s) => { out += s; } });
    expect(code, out).toBe(0);
    const header = out.split('\n')[1]!;
    expect(header).toMatch(/^property\s+arm64_softdirty_2024\s+arm64_softdirty_2024\(keep_soft_dirty = true\)\s+x86_64$/);
    expect(out).toMatch(/^no_lost_write\s+VIOLATED \(\d+ steps\)\s+holds\s+holds$/m);
    expect(out).toMatch(/^states\s+\d+\s+\d+\s+\d+$/m);
    expect(out).toContain('3 checked: 3 passed');
  });
});
