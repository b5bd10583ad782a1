// The --html trace viewer of reference case P2, opened from a file:// URL in Debian's chromium
// with the network off: the CPU lanes and the highlighted stale-TLB write must be on screen, at
// the laptop sizes 1366x768 and 1440x900 too, with the step and lane columns pinned while the
// PTE, TLB and global columns scroll; and user names that are Object.prototype keys must work.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const P2 = 'scenarios/apply_as_clean/harvest-before-flush.race';
const dir = mkdtempSync(join(tmpdir(), 'dirtyrace-html-'));
const html = join(dir, 'p2.html');
/** Where the screenshot is kept for a human to look at (DIRTYRACE_SCREENSHOT overrides). */
const shot = process.env.DIRTYRACE_SCREENSHOT ?? join(dir, 'p2.png');
let context: BrowserContext;
const requests: string[] = [];

/** Scenario files, pages, variables, CPUs and properties named after Object.prototype's keys. */
const NAMES = 'test/fixtures/prototype-names';
const protoHtml = join(dir, 'names.html');
/** Six CPUs: their lanes must still leave room for the PTE and TLB columns. */
const SIX = `use x86_64;
page P { present: true, write: true, accessed: true, pfn: F0 }
frame F0;
disable evict;
cpu w[6] { write P; }
final few: F0.version < 6;
expect violated few;
`;
const sixHtml = join(dir, 'six.html');

beforeAll(async () => {
  const code = await runCli(['check', '--html', html, P2], { stdout: () => {}, stderr: () => {} });
  expect(code).toBe(0);
  const names = await runCli(['check', '--html', protoHtml, `${NAMES}/__proto__.race`, `${NAMES}/constructor.race`], { stdout: () => {}, stderr: () => {} });
  expect(names).toBe(0);
  writeFileSync(join(dir, 'six.race'), SIX);
  expect(await runCli(['check', '--html', sixHtml, join(dir, 'six.race')], { stdout: () => {}, stderr: () => {} })).toBe(0);
  expect(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install -y chromium`).toBe(true);
  // A new empty profile (the --user-data-dir), the network off for every page.
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'dirtyrace-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    offline: true,
    viewport: { width: 1600, height: 1000 },
  });
});

afterAll(async () => { await context?.close(); });

describe('the HTML trace viewer (P2)', () => {
  it('is one file that fetches nothing', () => {
    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(text).not.toMatch(/https?:\/\//);
  });

  it('shows the lanes and the stale-TLB write highlighted, offline, and steps with the keyboard', async () => {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      requests.push(url);
      return url.startsWith('file:') ? route.continue() : route.abort();
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(html).href);

    // Two CPU lanes, one row per step (12) plus the initial state.
    await expect.poll(() => page.locator('th.lane').allTextContents()).toEqual(['cleaner (cpu0)', 'writer (cpu1)']);
    expect(await page.locator('#trace tbody tr').count()).toBe(13);
    // The PTE and the TLB entries have a column each.
    const heads = await page.locator('th.mem').allTextContents();
    expect(heads).toEqual(['P', 'tlb[cleaner][P]', 'tlb[writer][P]']);

    // The violating step: the writer's second write, through its stale dirty entry.
    const hot = page.locator('tr.violating');
    expect(await hot.count()).toBe(1);
    await expect.poll(() => hot.getAttribute('class')).toContain('stale');
    expect(await hot.locator('td.lane').nth(1).textContent()).toContain('write P;');
    expect(await hot.getAttribute('class')).toContain('current');
    expect(await hot.isVisible()).toBe(true);
    expect(await page.locator('th.lane').first().isVisible()).toBe(true);
    // The source shows that statement highlighted.
    expect(await page.locator('#source mark').textContent()).toBe('write P;');
    // (the second `write P;` of the writer)
    const secondWrite = readFileSync(P2, 'utf8').split('\n').findLastIndex((l) => l.trim() === 'write P;') + 1;
    expect(await page.locator('#srcname').textContent()).toBe(`${P2}:${secondWrite}`);
    expect(await page.locator('#source .curline').getAttribute('data-n')).toBe(String(secondWrite));

    // Hardware steps are styled apart when present; this trace has none, so check the style exists.
    const hwRule = await page.evaluate(() => [...document.styleSheets].flatMap((s) => [...s.cssRules].map((r) => r.cssText)).some((t) => t.includes('tr.hw')));
    expect(hwRule).toBe(true);

    // Screenshot check: the lanes' header and the highlighted row are in the viewport, and the
    // highlight colour is really painted.
    const png = await page.screenshot({ path: shot });
    const box = await hot.boundingBox();
    expect(box && box.y >= 0 && box.y + box.height <= 1000).toBe(true);
    const laneBox = await page.locator('th.lane').nth(1).boundingBox();
    expect(laneBox && laneBox.y >= 0 && laneBox.y < 1000).toBe(true);
    const stalePixels = await countColour(page, png, [0xff, 0xe2, 0xb8], { x: 0, y: 0, width: 1600, height: 1000 });
    expect(stalePixels).toBeGreaterThan(5000);

    // Keyboard: up moves to step 9 (the cleaner's), End to the last, v back to the violating one.
    await page.keyboard.press('ArrowUp');
    expect(await page.getAttribute('body', 'data-current-step')).toBe('9');
    expect(await page.locator('tr.current td.lane').first().textContent()).toContain('wp_clean_post_vma');
    await page.keyboard.press('End');
    expect(await page.getAttribute('body', 'data-current-step')).toBe('12');
    await page.keyboard.press('v');
    expect(await page.getAttribute('body', 'data-current-step')).toBe('10');

    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    writeFileSync(join(dir, 'requests.txt'), requests.join('\n'));
  });
});

/** Opens the P2 viewer at a viewport size, with no script errors. */
async function openAt(width: number, height: number, file = html): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setViewportSize({ width, height });
  await page.goto(pathToFileURL(file).href);
  await expect.poll(() => page.getAttribute('body', 'data-current-step')).not.toBeNull();
  return { page, errors };
}

type Box = { x: number; y: number; width: number; height: number };
async function boxOf(page: Page, selector: string): Promise<Box> {
  const b = await page.locator(selector).first().boundingBox();
  expect(b, selector).not.toBeNull();
  return b!;
}

for (const [width, height] of [[1366, 768], [1440, 900]] as const) {
  describe(`the P2 viewer at ${width}x${height}`, () => {
    it('shows the stale TLB entry of the race on screen, beside the pinned step and lane columns', async () => {
      const { page, errors } = await openAt(width, height);
      // No page-level horizontal scrolling: only the trace pane scrolls.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      // Globals, frame versions and locks have columns of their own after the PTE and TLB ones.
      expect(await page.locator('th.global').allTextContents()).toEqual(['tlb_flush_pending', 'bitmap[P]', 'saved', 'F0.version', 'ptl']);
      // The violating step is selected, and its stale entry, the writer's TLB entry for P, is marked...
      expect(await page.getAttribute('body', 'data-current-step')).toBe('10');
      const stale = page.locator('tr.current td.staleentry');
      expect(await stale.count()).toBe(1);
      expect(await stale.getAttribute('data-key')).toBe('tlb[writer][P]');
      // ...and within the trace pane, right of the pinned columns, below the header, on screen.
      const pane = await boxOf(page, '#tracepane');
      const lastPin = await boxOf(page, 'th.lane.last');
      const head = await boxOf(page, '#trace thead');
      const cell = await boxOf(page, 'tr.current td.staleentry');
      expect(cell.x).toBeGreaterThanOrEqual(lastPin.x + lastPin.width - 1);
      expect(cell.x + cell.width).toBeLessThanOrEqual(Math.min(pane.x + pane.width, width) + 1);
      expect(cell.y).toBeGreaterThanOrEqual(head.y + head.height - 1);
      expect(cell.y + cell.height).toBeLessThanOrEqual(Math.min(pane.y + pane.height, height) + 1);
      // The whole state panel beside it marks the same entry.
      expect(await page.locator('#statename').textContent()).toBe('state after step 10 (writer)');
      expect(await page.locator('#state tr.staleentry').getAttribute('data-key')).toBe('tlb[writer][P]');
      expect(await page.locator('#state tr').count()).toBeGreaterThanOrEqual(3 + 5); // PTE, 2 TLB entries, 5 globals (+ locals)
      const panel = await boxOf(page, '#state tr.staleentry');
      expect(panel.x + panel.width).toBeLessThanOrEqual(width + 1);
      expect(panel.y + panel.height).toBeLessThanOrEqual(height);
      // The marking is painted: the entry's red outline is in the screenshot at the cell's place.
      const png = await page.screenshot({ path: shot.replace(/\.png$/, `-${width}x${height}.png`) });
      const red = await countColour(page, png, [0xc0, 0x39, 0x2b], cell);
      expect(red).toBeGreaterThan(2 * (cell.width + cell.height) * 0.8);
      expect(errors).toEqual([]);
    });

    it('keeps the step and lane columns at the left edge while the other columns scroll', async () => {
      const { page, errors } = await openAt(width, height);
      const pane = await boxOf(page, '#tracepane');
      const before = await Promise.all(['th.stepno', 'th.lane >> nth=0', 'th.lane >> nth=1', 'tr.current td.lane >> nth=1'].map((s) => boxOf(page, s)));
      expect(before[0]!.x).toBe(0);
      expect(pane.x).toBe(0);
      const scrollable = await page.evaluate(() => {
        const p = document.getElementById('tracepane')!;
        p.scrollLeft = p.scrollWidth;
        return p.scrollLeft;
      });
      expect(scrollable).toBeGreaterThan(0); // the columns do not all fit: there is something to scroll
      const after = await Promise.all(['th.stepno', 'th.lane >> nth=0', 'th.lane >> nth=1', 'tr.current td.lane >> nth=1'].map((s) => boxOf(page, s)));
      for (let i = 0; i < before.length; i++) expect(after[i]!.x, String(i)).toBeCloseTo(before[i]!.x, 0);
      // The first PTE column has scrolled under the pinned ones; the last column is now in view.
      const firstMem = await boxOf(page, 'th.mem');
      expect(firstMem.x).toBeLessThan(after[2]!.x + after[2]!.width);
      const lastCol = await boxOf(page, '#trace thead th:last-child');
      expect(lastCol.x + lastCol.width).toBeLessThanOrEqual(pane.x + pane.width + 1);
      // Stepping back to the cleaner's step 6 brings the changed PTE column back beside the lanes.
      for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowUp');
      expect(await page.getAttribute('body', 'data-current-step')).toBe('6');
      const changed = await boxOf(page, 'tr.current td.mem.changed');
      expect(changed.x).toBeGreaterThanOrEqual(after[2]!.x + after[2]!.width - 1);
      expect(changed.x + changed.width).toBeLessThanOrEqual(pane.x + pane.width + 1);
      expect(await page.locator('#statename').textContent()).toBe('state after step 6 (cleaner)');
      expect(errors).toEqual([]);
    });
  });
}

describe('many CPUs at 1366x768', () => {
  it('six lanes take at most 60% of the trace pane, and the entries stay beside them', async () => {
    const { page, errors } = await openAt(1366, 768, sixHtml);
    expect(await page.locator('th.lane').count()).toBe(6);
    const pane = await boxOf(page, '#tracepane');
    const last = await boxOf(page, 'th.lane.last');
    expect(last.x + last.width).toBeLessThanOrEqual(pane.x + pane.width * 0.6 + 2);
    for (const b of await page.locator('th.lane').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width))) expect(b).toBeGreaterThanOrEqual(64);
    const mem = await boxOf(page, 'th.mem');
    expect(mem.x + mem.width).toBeLessThanOrEqual(pane.x + pane.width);
    expect(errors).toEqual([]);
  });
});

/** Pixels of one colour inside a box of the screenshot. */
function countColour(page: Page, png: Buffer, [r, g, b]: readonly number[], box: Box): Promise<number> {
  return page.evaluate(async ({ b64, r, g, b, box }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(Math.floor(box.x), Math.floor(box.y), Math.ceil(box.width), Math.ceil(box.height)).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] === r && d[i + 1] === g && d[i + 2] === b) n++;
    return n;
  }, { b64: png.toString('base64'), r, g, b, box });
}

describe('user names that are Object.prototype keys', () => {
  it('a page __proto__, a global constructor and files named __proto__.race and constructor.race each keep their columns and source', async () => {
    const { page, errors } = await openAt(1366, 768, protoHtml);
    expect(await page.locator('#pick option').allTextContents()).toEqual([
      `${NAMES}/__proto__.race \u2014 toString (expected)`, `${NAMES}/constructor.race \u2014 valueOf (expected)`]);
    expect(await page.locator('th.mem').allTextContents()).toEqual(['__proto__', 'tlb[w][__proto__]']);
    expect(await page.locator('th.global').allTextContents()).toEqual(['constructor', 'F0.version']);
    expect(await page.locator('tr.current td[data-key="constructor"]').textContent()).toBe('true');
    expect(await page.locator('#srcname').textContent()).toBe(`${NAMES}/__proto__.race:6`);
    expect(await page.locator('#source mark').textContent()).toBe('constructor = true;');
    await page.keyboard.press('n');
    expect(await page.locator('th.lane').allTextContents()).toEqual(['hasOwnProperty (cpu0)']);
    expect(await page.locator('th.mem').allTextContents()).toEqual(['constructor', 'tlb[hasOwnProperty][constructor]']);
    expect(await page.locator('th.global').allTextContents()).toEqual(['__proto__', 'F0.version']);
    expect(await page.locator('#state tr[data-key="__proto__"] td').nth(1).textContent()).toBe('true');
    expect(await page.locator('#source mark').textContent()).toBe('__proto__ = true;');
    expect(errors).toEqual([]);
  });
});
