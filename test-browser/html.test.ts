// The --html trace viewer of reference case P2, opened from a file:// URL in Debian's chromium
// with the network off: the CPU lanes and the highlighted stale-TLB write must be on screen.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
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

beforeAll(async () => {
  const code = await runCli(['check', '--html', html, P2], { stdout: () => {}, stderr: () => {} });
  expect(code).toBe(0);
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
    const stalePixels = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width; c.height = img.height;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === 0xff && d[i + 1] === 0xe2 && d[i + 2] === 0xb8) n++;
      return n;
    }, png.toString('base64'));
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
