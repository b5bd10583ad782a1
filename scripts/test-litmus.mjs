// npm run test:litmus: every test of herdtools7's aarch64-VMSA catalogue checked by dirtyrace and
// compared with the catalogue's kinds.txt. The catalogue is the repository's sibling
// `../shared/litmus/aarch64-VMSA` (else the vendored test/litmus-catalogue) unless DIRTYRACE_LITMUS names another copy; the work per test
// is bounded by LITMUS_MAX_STATES stored states (default 500000). The disagreements and too-large
// tests that remain are listed, each with its reason, in scripts/litmus-expected.txt: exit 1 on
// any result that list does not predict (a new disagreement, a listed one now fixed or changed),
// on an internal error or a test without a kinds entry; exit 0 when every other result agrees
// or is unsupported.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, runCatalogue, catalogueKinds } from '../dist/src/litmus/catalogue.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The repository's sibling shared/ (a worktree under wt/ finds it one level further up).
// Else the copy vendored in test/litmus-catalogue (CeCILL-B, its LICENSE.txt kept with it), so a
// clean clone runs it too.
const root = process.env.DIRTYRACE_LITMUS
  ?? [join(repo, '..', 'shared'), join(repo, '..', '..', 'shared')].map((s) => join(s, 'litmus', 'aarch64-VMSA')).find((p) => existsSync(p))
  ?? join(repo, 'test', 'litmus-catalogue', 'aarch64-VMSA');
const tests = join(root, 'tests');
if (!existsSync(tests)) {
  console.error(`test:litmus: no catalogue at ${tests} (set DIRTYRACE_LITMUS to the aarch64-VMSA folder)`);
  process.exit(2);
}
const maxStates = Number(process.env.LITMUS_MAX_STATES ?? 500000);
const kinds = catalogueKinds(tests);
const abbreviated = kinds.odd.filter((o) => o.why.startsWith('abbreviated'));
const odd = kinds.odd.filter((o) => !o.why.startsWith('abbreviated'));
console.log(`kinds.txt: ${kinds.entries.size} entries; ${abbreviated.length} with an abbreviated verdict (Allow, Forbid) read as the full word`);
if (odd.length) {
  console.log(`kinds.txt: ${odd.length} odd lines, not read as entries:`);
  for (const o of odd) console.log(`  ${o.text}  -- ${o.why}`);
}
const all = await runCatalogue(tests, maxStates);
const kindsOf = ['agree', 'disagree', 'unsupported', 'no-kind', 'too-large', 'error'];
const folders = [...new Set(all.map((t) => t.folder))].sort();
console.log(`\n${'folder'.padEnd(28)} ${kindsOf.map((k) => k.padStart(11)).join(' ')}`);
for (const f of [...folders, 'total']) {
  const ts = all.filter((t) => f === 'total' || t.folder === f);
  console.log(`${f.padEnd(28)} ${kindsOf.map((k) => String(ts.filter((t) => t.outcome === k).length).padStart(11)).join(' ')}`);
}
for (const k of ['disagree', 'too-large', 'error']) {
  const ts = all.filter((t) => t.outcome === k);
  if (ts.length) { console.log(`\n${k} (${ts.length}):`); for (const t of ts) console.log(`  ${describe(t)}`); }
}
if (process.env.LITMUS_VERBOSE) {
  console.log('\nunsupported:');
  for (const t of all.filter((t) => t.outcome === 'unsupported')) console.log(`  ${describe(t)}`);
}

// TEST OUTCOME REASON lines; '#' comments.
const expected = new Map(readFileSync(join(repo, 'scripts', 'litmus-expected.txt'), 'utf8').split('\n')
  .map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean).map((l) => l.split(/\s+/)).map(([f, o, ...why]) => [f, { outcome: o, why: why.join(' ') }]));
const unexpected = [];
for (const t of all) {
  const e = expected.get(t.file);
  const fine = e ? e.outcome === t.outcome : t.outcome === 'agree' || t.outcome === 'unsupported';
  if (!fine) unexpected.push(e ? `${describe(t)}: listed as ${e.outcome} (${e.why}), now ${t.outcome}` : `${describe(t)}: ${t.outcome}, not listed in scripts/litmus-expected.txt`);
}
const seen = new Set(all.map((t) => t.file));
for (const f of expected.keys()) if (!seen.has(f)) unexpected.push(`${f}: listed in scripts/litmus-expected.txt, not in the catalogue`);
const why = [...expected.values()].reduce((m, e) => m.set(e.why, (m.get(e.why) ?? 0) + 1), new Map());
console.log(`\nexpected (scripts/litmus-expected.txt): ${[...why].map(([w, n]) => `${n} ${w}`).join(', ')}`);
if (unexpected.length) { console.log(`\nnot as expected (${unexpected.length}):`); for (const u of unexpected) console.log(`  ${u}`); }
else console.log('every result agrees, is unsupported, or is as scripts/litmus-expected.txt expects');
process.exit(unexpected.length ? 1 : 0);
