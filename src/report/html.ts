// The HTML trace viewer: one self-contained file (inline style, script and data; nothing fetched)
// with every counterexample of a run. CPU lanes side by side, one row per step, hardware steps
// styled apart, a column per PTE and TLB entry showing its value as it changes, the violating
// step (the failing step, or a write through a stale TLB entry) highlighted, keyboard stepping,
// and the source with the current statement highlighted.
import { readFileSync } from 'node:fs';
import type { FileReport } from './file-report.js';

export interface HtmlOptions {
  readonly version: string;
  readonly commandLine: string;
}

function sourcesOf(files: readonly FileReport[]): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (path: string) => {
    if (path in out) return;
    try { out[path] = readFileSync(path, 'utf8'); } catch { out[path] = ''; }
  };
  for (const f of files) for (const t of f.traces) {
    add(f.file);
    for (const s of t.steps) if (s.span) add(s.span.file);
  }
  return out;
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
    initialMemory: t.initialMemory, steps: t.steps, final: t.final,
    location: t.location,
  })));
  const data = { version: o.version, commandLine: o.commandLine, traces, sources: sourcesOf(files) };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>dirtyrace traces</title>
<style>${CSS}</style>
</head>
<body>
<header>
  <h1>dirtyrace traces</h1>
  <select id="pick" aria-label="counterexample"></select>
  <span class="help">step: <kbd>&darr;</kbd>/<kbd>j</kbd> next, <kbd>&uarr;</kbd>/<kbd>k</kbd> previous, <kbd>Home</kbd>/<kbd>End</kbd>, <kbd>v</kbd> violating step, <kbd>n</kbd>/<kbd>p</kbd> next/previous trace</span>
</header>
<div id="summary"></div>
<main>
  <section id="tracepane"><table id="trace"></table><div id="final"></div></section>
  <section id="sourcepane"><div id="srcname"></div><pre id="source"></pre></section>
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
body { margin: 0; color: #1b1b1b; background: #fff; }
header { display: flex; gap: 1em; align-items: center; padding: .5em 1em; background: #1f2937; color: #fff; }
header h1 { font-size: 1.1em; margin: 0; }
header .help { font-size: .85em; opacity: .85; }
kbd { border: 1px solid #999; border-radius: 3px; padding: 0 .25em; font-size: .85em; }
#summary { padding: .5em 1em; border-bottom: 1px solid #ddd; }
#summary .prop { font-weight: 600; }
main { display: flex; gap: 0; align-items: flex-start; }
#tracepane { flex: 3; overflow: auto; max-height: calc(100vh - 9em); }
#sourcepane { flex: 2; position: sticky; top: 0; max-height: calc(100vh - 9em); overflow: auto; border-left: 1px solid #ddd; }
#srcname { font: 600 .85em monospace; padding: .4em .6em; background: #f3f3f3; border-bottom: 1px solid #ddd; }
#source { margin: 0; font: 12px/1.45 ui-monospace, monospace; }
#source .ln { display: block; white-space: pre; padding-right: .5em; }
#source .ln::before { content: attr(data-n); display: inline-block; width: 3.2em; padding-right: .6em; text-align: right; color: #999; }
#source .ln.curline { background: #e8f0fe; }
#source mark { background: #ffd54a; outline: 1px solid #d19a00; }
table { border-collapse: collapse; font: 12px/1.35 ui-monospace, monospace; width: 100%; }
th, td { border: 1px solid #e1e1e1; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #f6f6f6; position: sticky; top: 0; z-index: 1; }
th.lane { min-width: 14em; }
th.mem, td.mem { color: #333; }
td.mem.changed { background: var(--changed); font-weight: 600; }
td.lane .stmt { display: inline-block; padding: 1px 4px; border-radius: 3px; background: #e4f6e4; border: 1px solid #b9dfb9; }
tr.hw td.lane .stmt { background: var(--hw); border: 1px dashed #8a96aa; color: #445; font-style: italic; }
tr.hw td.stepno::after { content: " hw"; color: #8a96aa; font-size: .85em; }
tr.stale td { background: var(--stale); }
tr.failing td { background: var(--fail); }
tr.violating td.stepno { font-weight: 700; color: #b00020; }
.badge { display: inline-block; margin-left: .4em; padding: 0 .4em; border-radius: 8px; font: 600 10px/1.6 system-ui, sans-serif; color: #fff; background: #c0392b; }
.badge.stale { background: #d35400; }
tr.current td { box-shadow: inset 0 2px 0 var(--cur), inset 0 -2px 0 var(--cur); }
tr.current td.stepno { border-left: 4px solid var(--cur); }
tr { cursor: pointer; }
td.changes { color: #555; }
#final { padding: .6em 1em; font: 12px/1.4 ui-monospace, monospace; }
footer { padding: .4em 1em; font-size: .8em; color: #666; border-top: 1px solid #ddd; }
`;

// Plain ES2017 for the browser; reads the embedded data, renders, and handles keys.
const JS = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('data').textContent);
  var pick = document.getElementById('pick');
  var table = document.getElementById('trace');
  var current = 0, traceIndex = 0;
  function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
  function violating(t) {
    for (var i = 0; i < t.steps.length; i++) if (t.steps[i].failing) return i + 1;
    for (var j = t.steps.length - 1; j >= 0; j--) if (t.steps[j].staleWrite) return j + 1;
    return t.steps.length;
  }
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
    var h = '<thead><tr><th>step</th>';
    t.cpus.forEach(function (c, i) { h += '<th class="lane">' + esc(c) + ' (cpu' + i + ')</th>'; });
    t.memoryKeys.forEach(function (k) { h += '<th class="mem">' + esc(k) + '</th>'; });
    h += '<th>other changes</th></tr></thead><tbody>';
    h += '<tr data-step="0" class="initial"><td class="stepno">0</td>';
    t.cpus.forEach(function () { h += '<td class="lane"><small>initial</small></td>'; });
    t.memoryKeys.forEach(function (k) { h += '<td class="mem">' + esc(t.initialMemory[k]) + '</td>'; });
    h += '<td></td></tr>';
    var before = t.initialMemory, v = violating(t);
    t.steps.forEach(function (s) {
      var cls = [s.hardware ? 'hw' : 'cpu'];
      if (s.failing) cls.push('failing');
      if (s.staleWrite) cls.push('stale');
      if (s.step === v) cls.push('violating');
      h += '<tr data-step="' + s.step + '" class="' + cls.join(' ') + '"><td class="stepno">' + s.step + '</td>';
      t.cpus.forEach(function (c, i) {
        h += '<td class="lane">';
        if (s.cpu === i) {
          h += '<span class="stmt">' + esc(s.text) + '</span>';
          if (s.failing) h += '<span class="badge">fails here</span>';
          if (s.staleWrite) h += '<span class="badge stale">stale TLB write</span>';
        }
        h += '</td>';
      });
      t.memoryKeys.forEach(function (k) {
        var changed = before[k] !== s.memory[k];
        h += '<td class="mem' + (changed ? ' changed' : '') + '">' + (changed ? esc(s.memory[k]) : '<span style="color:#bbb">' + esc(s.memory[k]) + '</span>') + '</td>';
      });
      var other = s.changes.filter(function (c) { var k = c.slice(0, c.indexOf('=')); return t.memoryKeys.indexOf(k) < 0; });
      h += '<td class="changes">' + esc(other.join('  ')) + '</td></tr>';
      before = s.memory;
    });
    h += '</tbody>';
    table.innerHTML = h;
    var fin = Object.keys(t.final).map(function (k) { return esc(k) + '=' + esc(t.final[k]); }).join(', ');
    document.getElementById('final').innerHTML = '<b>' + esc(t.property) + '</b> fails in: ' + fin;
    Array.prototype.forEach.call(table.querySelectorAll('tbody tr'), function (tr) {
      tr.addEventListener('click', function () { go(Number(tr.getAttribute('data-step'))); });
    });
    go(v);
  }
  function showSource(s) {
    var name = document.getElementById('srcname'), pre = document.getElementById('source');
    var t = data.traces[traceIndex];
    var file = s && s.span ? s.span.file : t.scenario;
    var text = data.sources[file] || '';
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
    if (m) { var pane = document.getElementById('sourcepane'); pane.scrollTop = Math.max(0, m.offsetTop - pane.clientHeight / 2); }
  }
  function go(n) {
    var t = data.traces[traceIndex];
    current = Math.max(0, Math.min(t.steps.length, n));
    Array.prototype.forEach.call(table.querySelectorAll('tbody tr'), function (tr) {
      tr.classList.toggle('current', Number(tr.getAttribute('data-step')) === current);
    });
    var row = table.querySelector('tr.current');
    if (row && row.scrollIntoView) row.scrollIntoView({ block: 'nearest' });
    showSource(current ? t.steps[current - 1] : null);
    document.body.setAttribute('data-current-step', String(current));
  }
  pick.addEventListener('change', function () { traceIndex = Number(pick.value); render(); });
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
