// npm run test:litmus: every test of herdtools7's aarch64-VMSA catalogue checked by dirtyrace and
// compared with the catalogue's kinds.txt. The catalogue is the repository's sibling
// `../shared/litmus/aarch64-VMSA` unless DIRTYRACE_LITMUS names another copy; the work per test
// is bounded by LITMUS_MAX_STATES stored states (default 200000). Exit 1 on any disagreement.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, runCatalogue, catalogueKinds } from '../dist/src/litmus/catalogue.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The repository's sibling shared/ (a worktree under wt/ finds it one level further up).
const root = process.env.DIRTYRACE_LITMUS
  ?? [join(repo, '..', 'shared'), join(repo, '..', '..', 'shared')].map((s) => join(s, 'litmus', 'aarch64-VMSA')).find((p) => existsSync(p))
  ?? join(repo, '..', 'shared', 'litmus', 'aarch64-VMSA');
const tests = join(root, 'tests');
if (!existsSync(tests)) {
  console.error(`test:litmus: no catalogue at ${tests} (set DIRTYRACE_LITMUS to the aarch64-VMSA folder)`);
  process.exit(2);
}
const maxStates = Number(process.env.LITMUS_MAX_STATES ?? 200000);
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
process.exit(all.some((t) => t.outcome === 'disagree' || t.outcome === 'error') ? 1 : 0);
