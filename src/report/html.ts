// The HTML trace viewer: one self-contained file (inline style, script and data; nothing fetched)
// with every counterexample of a run. One row per step; the step and CPU-lane columns stay put
// while the PTE, TLB-entry and global columns scroll beside them, so the entries a race is about
// stay reachable on a laptop screen; hardware steps styled apart; the violating step (the failing
// step, or a write through a stale TLB entry, whose entry is marked) highlighted; a panel with the
// whole state after the selected step; keyboard stepping; the source with the current statement
// highlighted. Names are the user's, so the data holds lists of pairs and the script Maps.
import { readFileSync } from 'node:fs';
import type { FileReport } from './file-report.js';

export interface HtmlOptions {
  readonly version: string;
  readonly commandLine: string;
}

/** Each file a trace shows, with its text, as [path, text] pairs. */
function sourcesOf(files: readonly FileReport[]): [string, string][] {
  const out = new Map<string, string>();
  const add = (path: string) => {
    if (out.has(path)) return;
    try { out.set(path, readFileSync(path, 'utf8')); } catch { out.set(path, ''); }
  };
  for (const f of files) for (const t of f.traces) {
    add(f.file);
    for (const s of t.steps) if (s.span) add(s.span.file);
  }
  return [...out];
}

/** JSON that is safe inside a <script> element. */
function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** With --explain: each violation's explanation as its text, below the viewer. */
function explanationsHtml(files: readonly FileReport[]): string {
  const all = files.flatMap((f) => (f.explanations ?? []).map((x) => `<details open><summary>${esc(f.label)} &mdash; ${esc(x.property)}</summary><pre>${esc(x.text)}</pre></details>\n`));
  return all.length ? `<section id="explain"><h2>Explanations</h2>\n${all.join('')}</section>\n` : '';
}

export function htmlReport(files: readonly FileReport[], o: HtmlOptions): string {
  const traces = files.flatMap((f) => f.traces.map((t) => ({
    file: f.label, scenario: f.file, command: f.provenance.command, status: f.status, expected: t.expected,
    property: t.property, description: t.description, depth: t.depth, cpus: t.cpus, memoryKeys: t.memoryKeys,
    globalKeys: t.globalKeys, initial: t.initial, steps: t.steps, location: t.location,
  })));
  const data = { version: o.version, commandLine: o.commandLine, traces, sources: sourcesOf(files) };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>dirtyrace traces</title>
<style>${CSS}</style>
<style id="sticky"></style>
</head>
<body>
<header>
  <h1>dirtyrace traces</h1>
  <select id="pick" aria-label="counterexample"></select>
  <span class="help"><kbd>&darr;</kbd>/<kbd>j</kbd> next, <kbd>&uarr;</kbd>/<kbd>k</kbd> previous, <kbd>Home</kbd>/<kbd>End</kbd>, <kbd>v</kbd> violating step, <kbd>n</kbd>/<kbd>p</kbd> next/previous trace</span>
</header>
<div id="summary"></div>
<main>
  <section id="tracepane"><table id="trace"></table></section>
  <aside id="side">
    <section id="statepane"><div class="panehead" id="statename"></div><table id="state"></table></section>
    <section id="sourcepane"><div class="panehead" id="srcname"></div><pre id="source"></pre></section>
  </aside>
</main>
${explanationsHtml(files)}<footer>dirtyrace ${esc(o.version)} &middot; <code>${esc(o.commandLine)}</code></footer>
<script type="application/json" id="data">${scriptJson(data)}</script>
<script>${JS}</script>
</body>
</html>
`;
}

const CSS = `
:root { --hw: #eef1f6; --stale: #ffe2b8; --fail: #ffd0d0; --cur: #2f6fdf; --changed: #fff3a0; font-family: system-ui, sans-serif; font-size: 14px; }
html, body { height: 100%; }
body { margin: 0; color: #1b1b1b; background: #fff; display: flex; flex-direction: column; }
header { display: flex; gap: 1em; align-items: center; padding: .4em 1em; background: #1f2937; color: #fff; flex: none; }
header h1 { font-size: 1.05em; margin: 0; white-space: nowrap; }
header select { max-width: 40vw; }
header .help { font-size: .8em; opacity: .85; }
kbd { border: 1px solid #999; border-radius: 3px; padding: 0 .25em; font-size: .85em; }
#summary { padding: .35em 1em; border-bottom: 1px solid #ddd; flex: none; font-size: .9em; }
#summary .prop { font-weight: 600; }
main { display: flex; flex: 1; min-height: 0; }
#tracepane { flex: 1; min-width: 0; overflow: auto; }
#side { flex: none; width: 30%; min-width: 22em; display: flex; flex-direction: column; border-left: 1px solid #ddd; }
#statepane { flex: 1 1 45%; overflow: auto; border-bottom: 1px solid #ddd; }
#sourcepane { flex: 1 1 55%; overflow: auto; }
.panehead { font: 600 .85em monospace; padding: .35em .6em; background: #f3f3f3; border-bottom: 1px solid #ddd; position: sticky; top: 0; z-index: 1; }
#state { width: 100%; }
#state td.k { white-space: nowrap; color: #555; }
#state tr.changed td { background: var(--changed); font-weight: 600; }
#state tr.staleentry td { outline: 2px solid #c0392b; outline-offset: -2px; }
#source { margin: 0; font: 12px/1.45 ui-monospace, monospace; }
#source .ln { display: block; white-space: pre; padding-right: .5em; }
#source .ln::before { content: attr(data-n); display: inline-block; width: 3.2em; padding-right: .6em; text-align: right; color: #999; }
#source .ln.curline { background: #e8f0fe; }
#source mark { background: #ffd54a; outline: 1px solid #d19a00; }
table { border-collapse: separate; border-spacing: 0; font: 12px/1.35 ui-monospace, monospace; }
th, td { border-right: 1px solid #e1e1e1; border-bottom: 1px solid #e1e1e1; padding: 3px 6px; vertical-align: top; text-align: left; background: #fff; }
/* As wide as its columns want (up to their max-width): the pane scrolls, rather than every value wrapping. */
#trace { width: max-content; }
#trace th { background: #f6f6f6; position: sticky; top: 0; z-index: 2; white-space: nowrap; }
#trace .pin { position: sticky; z-index: 1; }
#trace th.pin { z-index: 3; }
#trace .pin.last { box-shadow: 3px 0 3px -2px rgba(0, 0, 0, .25); }
#trace td.stepno { min-width: 2.5em; white-space: nowrap; }
#trace .lane { width: var(--lane, 12em); min-width: var(--lane, 12em); max-width: var(--lane, 12em); overflow-wrap: anywhere; white-space: normal; }
#trace td.mem, #trace td.global { min-width: 6em; max-width: 18em; overflow-wrap: anywhere; color: #bbb; }
#trace th.global, #trace td.global { background-color: #fbfbfd; }
#trace td.changed { background: var(--changed); font-weight: 600; color: #1b1b1b; }
#trace td.staleentry { outline: 2px solid #c0392b; outline-offset: -2px; color: #1b1b1b; }
td.lane .stmt { display: inline-block; padding: 1px 4px; border-radius: 3px; background: #e4f6e4; border: 1px solid #b9dfb9; }
tr.hw td.lane .stmt { background: var(--hw); border: 1px dashed #8a96aa; color: #445; font-style: italic; }
tr.hw td.stepno::after { content: " hw"; color: #8a96aa; font-size: .85em; }
tr.stale td { background: var(--stale); }
tr.failing td { background: var(--fail); }
tr.violating td.stepno { font-weight: 700; color: #b00020; }
.badge { display: inline-block; margin-left: .4em; padding: 0 .4em; border-radius: 8px; font: 600 10px/1.6 system-ui, sans-serif; color: #fff; background: #c0392b; }
.badge.stale { background: #d35400; }
tr.current td { box-shadow: inset 0 2px 0 var(--cur), inset 0 -2px 0 var(--cur); }
tr.current td.stepno { box-shadow: inset 4px 0 0 var(--cur), inset 0 2px 0 var(--cur), inset 0 -2px 0 var(--cur); }
#trace tbody tr { cursor: pointer; }
td.changes { color: #555; min-width: 10em; }
/* With explain: below the viewer, scrolling on its own, so the trace keeps its room. */
#explain { flex: none; max-height: 30vh; overflow: auto; padding: 0 1em; border-top: 1px solid #ddd; font-size: .85em; }
#explain h2 { font-size: 1em; margin: .4em 0; }
footer { padding: .3em 1em; font-size: .75em; color: #666; border-top: 1px solid #ddd; flex: none; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
`;

// Plain ES2017 for the browser; reads the embedded data, renders, and handles keys. User-named
// things (pages, files, globals) are looked up in Maps, never as object keys.
const JS = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('data').textContent);
  var sources = new Map(data.sources);
  var pick = document.getElementById('pick');
  var table = document.getElementById('trace');
  var pane = document.getElementById('tracepane');
  var current = 0, traceIndex = 0, pinnedWidth = 0;
  function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'); }
  /** A value with break opportunities after its commas, so a wide PTE wraps inside its column. */
  function wrap(s) { return esc(s).replace(/,/g, ',<wbr>'); }
  function violating(t) {
    for (var i = 0; i < t.steps.length; i++) if (t.steps[i].failing) return i + 1;
    for (var j = t.steps.length - 1; j >= 0; j--) if (t.steps[j].staleWrite) return j + 1;
    return t.steps.length;
  }
  function stateAt(t, n) { return n === 0 ? t.initial : t.steps[n - 1].state; }
  data.traces.forEach(function (t, i) {
    var o = document.createElement('option');
    o.value = String(i);
    o.textContent = t.file + ' \u2014 ' + t.property + (t.expected ? ' (expected)' : '');
    pick.appendChild(o);
  });
  if (!data.traces.length) {
    document.getElementById('summary').textContent = 'No property is violated: there is no counterexample to show.';
    pick.style.display = 'none';
    return;
  }
  function render() {
    var t = data.traces[traceIndex];
    pick.value = String(traceIndex);
    var loc = t.location ? t.location.file + ':' + t.location.line : t.file;
    document.getElementById('summary').innerHTML = '<span class="prop">' + esc(t.property) + '</span> violated after ' + t.depth +
      ' steps in <code>' + esc(t.file) + '</code>' + (t.expected ? ' (as the scenario expects)' : '') +
      ': <code>' + esc(t.description) + '</code> <small>(' + esc(loc) + ')</small><br><small>re-run: <code>' + esc(t.command) + '</code></small>';
    var cols = t.memoryKeys.map(function (k) { return { key: k, cls: 'mem' }; })
      .concat(t.globalKeys.map(function (k) { return { key: k, cls: 'global' }; }));
    var shown = new Set(cols.map(function (c) { return c.key; }));
    var pins = 1 + t.cpus.length;
    function pin(i) { return ' pin c' + i + (i === pins - 1 ? ' last' : ''); }
    var h = '<thead><tr><th class="stepno' + pin(0) + '">step</th>';
    t.cpus.forEach(function (c, i) { h += '<th class="lane' + pin(i + 1) + '">' + esc(c) + ' (cpu' + i + ')</th>'; });
    cols.forEach(function (c) { h += '<th class="' + c.cls + '">' + esc(c.key) + '</th>'; });
    h += '<th>locals</th></tr></thead><tbody>';
    for (var n = 0; n <= t.steps.length; n++) {
      var s = n === 0 ? null : t.steps[n - 1];
      var now = new Map(stateAt(t, n)), before = new Map(stateAt(t, Math.max(0, n - 1)));
      var cls = [n === 0 ? 'initial' : s.hardware ? 'hw' : 'cpu'];
      if (s && s.failing) cls.push('failing');
      if (s && s.staleWrite) cls.push('stale');
      if (n === violating(t)) cls.push('violating');
      h += '<tr data-step="' + n + '" class="' + cls.join(' ') + '"><td class="stepno' + pin(0) + '">' + n + '</td>';
      t.cpus.forEach(function (c, i) {
        h += '<td class="lane' + pin(i + 1) + '">';
        if (!s) h += '<small>initial</small>';
        else if (s.cpu === i) {
          h += '<span class="stmt">' + esc(s.text) + '</span>';
          if (s.failing) h += '<span class="badge">fails here</span>';
          if (s.staleWrite) h += '<span class="badge stale">stale TLB write</span>';
        }
        h += '</td>';
      });
      cols.forEach(function (c) {
        var changed = n > 0 && before.get(c.key) !== now.get(c.key);
        var stale = s && s.staleEntry === c.key;
        h += '<td class="' + c.cls + (changed ? ' changed' : '') + (stale ? ' staleentry' : '') + '" data-key="' + esc(c.key) + '">' +
          wrap(now.has(c.key) ? now.get(c.key) : '') + '</td>';
      });
      var locals = [];
      now.forEach(function (v, k) { if (!shown.has(k) && (n === 0 || before.get(k) !== v)) locals.push(k + '=' + v); });
      h += '<td class="changes">' + esc(locals.join('  ')) + '</td></tr>';
    }
    h += '</tbody>';
    // Lanes share at most 60% of the pane (12em each at most; the step column and each lane's
    // padding and border come off first), so the entries stay in view beside them.
    table.style.setProperty('--lane', Math.max(64, Math.min(12 * 12, (pane.clientWidth * 0.6 - 56) / t.cpus.length - 13)) + 'px');
    table.innerHTML = h;
    Array.prototype.forEach.call(table.querySelectorAll('tbody tr'), function (tr) {
      tr.addEventListener('click', function () { go(Number(tr.getAttribute('data-step'))); });
    });
    pane.scrollLeft = 0;
    go(violating(t));
  }
  /** The step and lane columns stay at the left edge: each at the width of those before it. */
  function pinColumns(pins) {
    var heads = table.querySelectorAll('thead th'), css = '', left = 0;
    for (var i = 0; i < pins; i++) {
      css += '#trace .pin.c' + i + ' { left: ' + left + 'px; }\n';
      left += heads[i].getBoundingClientRect().width;
    }
    pinnedWidth = left;
    document.getElementById('sticky').textContent = css;
  }
  /** Scrolls the trace so that cell is in view beside the pinned columns and below the header. */
  function reveal(row, cell) {
    var head = table.tHead.getBoundingClientRect().height;
    if (row.offsetTop < pane.scrollTop + head) pane.scrollTop = row.offsetTop - head;
    else if (row.offsetTop + row.offsetHeight > pane.scrollTop + pane.clientHeight) pane.scrollTop = row.offsetTop + row.offsetHeight - pane.clientHeight;
    if (!cell) return;
    if (cell.offsetLeft < pane.scrollLeft + pinnedWidth) pane.scrollLeft = cell.offsetLeft - pinnedWidth;
    else if (cell.offsetLeft + cell.offsetWidth > pane.scrollLeft + pane.clientWidth) pane.scrollLeft = cell.offsetLeft + cell.offsetWidth - pane.clientWidth;
  }
  function showState(t, n) {
    var s = n === 0 ? null : t.steps[n - 1];
    var before = new Map(stateAt(t, Math.max(0, n - 1)));
    document.getElementById('statename').textContent = n === 0 ? 'initial state' : 'state after step ' + n + ' (' + s.actor + ')';
    var h = '';
    stateAt(t, n).forEach(function (kv) {
      var cls = (n > 0 && before.get(kv[0]) !== kv[1] ? 'changed' : '') + (s && s.staleEntry === kv[0] ? ' staleentry' : '');
      h += '<tr class="' + cls + '" data-key="' + esc(kv[0]) + '"><td class="k">' + esc(kv[0]) + '</td><td>' + wrap(kv[1]) + '</td></tr>';
    });
    document.getElementById('state').innerHTML = h;
  }
  function showSource(s) {
    var name = document.getElementById('srcname'), pre = document.getElementById('source');
    var t = data.traces[traceIndex];
    var file = s && s.span ? s.span.file : t.scenario;
    var text = sources.get(file) || '';
    name.textContent = file + (s && s.location ? ':' + s.location.line : '') + (s && s.hardware ? '  (hardware step: no statement)' : '');
    var lines = text.split('\n'), pos = 0, out = '';
    var a = s && s.span ? s.span.start : -1, b = s && s.span ? s.span.end : -1;
    lines.forEach(function (line, i) {
      var ls = pos, le = pos + line.length, html;
      if (a >= 0 && a < le + 1 && b > ls) {
        var x = Math.max(a, ls) - ls, y = Math.min(b, le) - ls;
        html = esc(line.slice(0, x)) + '<mark>' + esc(line.slice(x, y)) + '</mark>' + esc(line.slice(y));
        out += '<span class="ln curline" data-n="' + (i + 1) + '">' + html + '</span>';
      } else out += '<span class="ln" data-n="' + (i + 1) + '">' + esc(line) + '</span>';
      pos = le + 1;
    });
    pre.innerHTML = out;
    var m = pre.querySelector('mark');
    if (m) { var sp = document.getElementById('sourcepane'); sp.scrollTop = Math.max(0, m.offsetTop - sp.clientHeight / 2); }
  }
  function go(n) {
    var t = data.traces[traceIndex];
    current = Math.max(0, Math.min(t.steps.length, n));
    Array.prototype.forEach.call(table.querySelectorAll('tbody tr'), function (tr) {
      tr.classList.toggle('current', Number(tr.getAttribute('data-step')) === current);
    });
    pinColumns(1 + t.cpus.length);
    var row = table.querySelector('tr.current');
    if (row) reveal(row, row.querySelector('td.staleentry') || row.querySelector('td.changed'));
    showState(t, current);
    showSource(current ? t.steps[current - 1] : null);
    document.body.setAttribute('data-current-step', String(current));
  }
  pick.addEventListener('change', function () { traceIndex = Number(pick.value); render(); });
  window.addEventListener('resize', function () { pinColumns(1 + data.traces[traceIndex].cpus.length); });
  document.addEventListener('keydown', function (e) {
    if (e.target === pick) return;
    var t = data.traces[traceIndex];
    if (e.key === 'ArrowDown' || e.key === 'j') go(current + 1);
    else if (e.key === 'ArrowUp' || e.key === 'k') go(current - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(t.steps.length);
    else if (e.key === 'v') go(violating(t));
    else if (e.key === 'n') { traceIndex = (traceIndex + 1) % data.traces.length; render(); }
    else if (e.key === 'p') { traceIndex = (traceIndex + data.traces.length - 1) % data.traces.length; render(); }
    else return;
    e.preventDefault();
  });
  render();
})();
`;
