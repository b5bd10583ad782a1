// `dirtyrace check FILE.litmus`: herd7 litmus tests (src/litmus), each reported as herd7 does —
// Allowed, Forbidden or Required — with the witness trace of an allowed condition.
import { formatDiagnostic, readText } from '../lang/source.js';
import { checkLitmus } from '../litmus/check.js';
import { combineExits, EXIT } from '../run/exit.js';
import type { RunOptions } from '../run/options.js';
import type { Io } from './usage.js';

export async function runLitmus(files: readonly string[], run: RunOptions, traces: boolean, io: Io): Promise<number> {
  const exits: number[] = [];
  for (const file of files) {
    const read = readText(file);
    if ('problem' in read) { io.stderr(`${file}:1:1: error: ${read.problem}\n`); exits.push(EXIT.badInput); continue; }
    const r = await checkLitmus({ path: file, text: read.text }, run);
    switch (r.kind) {
      case 'decided':
        io.stdout(`${r.verdict}  ${r.name}  (${file}; arm64 model ${r.arch}, ${run.memory === 'sc' ? 'sequentially consistent' : 'relaxed page-table accesses'}; ${r.states} states)\n`);
        if (traces && r.witness) io.stdout(`witness: a final state satisfying the condition\n${r.witness}\n`);
        exits.push(EXIT.ok);
        break;
      case 'unsupported': case 'bad-input':
        io.stderr(`${formatDiagnostic(r.diagnostic)}\n`);
        exits.push(EXIT.badInput);
        break;
      case 'too-large':
        io.stdout(`too large  ${r.name}  (${file}: over ${r.states} states; raise --max-states)\n`);
        exits.push(EXIT.inconclusive);
        break;
      case 'internal-error':
        io.stderr(`${file}: internal error: the translated scenario did not check (a bug in dirtyrace: please report it)\n${r.message}\n`);
        exits.push(EXIT.internal);
    }
  }
  return combineExits(exits);
}
