// The HTML viewer's embedded data (the page itself is tested in Chromium, test-browser/): states
// as [name, value] lists, the stale entry of a stale-TLB write, and user names that are
// Object.prototype keys kept as data, not lost as object keys (issue 12.13).
import { describe, expect, it } from 'vitest';
import { checkFile, htmlReport } from '../../src/index.js';

async function viewerData(...paths: string[]) {
  const files = await Promise.all(paths.map((p) => checkFile(p, { reports: true })));
  const html = htmlReport(files.map((f) => f.report), { version: 'test', commandLine: 'dirtyrace check' });
  const json = html.match(/<script type="application\/json" id="data">(.*?)<\/script>/s)![1]!;
  return JSON.parse(json);
}

describe('the viewer data', () => {
  it('P2: columns per PTE, TLB entry and global, the whole state per step, the stale entry named', async () => {
    const data = await viewerData('scenarios/apply_as_clean/harvest-before-flush.race');
    const [t] = data.traces;
    expect(t.memoryKeys).toEqual(['P', 'tlb[cleaner][P]', 'tlb[writer][P]']);
    expect(t.globalKeys).toEqual(['tlb_flush_pending', 'bitmap[P]', 'saved', 'F0.version', 'ptl']);
    const stale = t.steps.filter((s: { staleWrite: boolean }) => s.staleWrite);
    expect(stale.map((s: { step: number; staleEntry: string }) => [s.step, s.staleEntry])).toEqual([[10, 'tlb[writer][P]']]);
    // Locals are in the step's state, not among the columns.
    const names = new Map(stale[0].state).keys();
    expect([...names]).toContain('cleaner.cleaned');
  });

  it('a page __proto__, a global constructor, a file __proto__.race: all kept', async () => {
    const path = 'test/fixtures/prototype-names/__proto__.race';
    const data = await viewerData(path);
    const [t] = data.traces;
    expect(t.memoryKeys).toEqual(['__proto__', 'tlb[w][__proto__]']);
    expect(t.globalKeys).toEqual(['constructor', 'F0.version']);
    expect(new Map(t.steps.at(-1).state).get('constructor')).toBe('true');
    expect(new Map(t.steps[0].state).get('__proto__')).toBe('{present,write,dirty,accessed,pfn=F0}');
    expect(new Map(data.sources).get(path)).toContain('page __proto__');
  });
});
