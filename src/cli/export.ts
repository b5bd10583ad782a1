// `dirtyrace export --promela FILE OUT`: write the scenario's Promela translation.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { modelOfFile } from '../check/index.js';
import { toPromela } from '../export/promela.js';
import { Diagnostic, formatDiagnostic } from '../lang/source.js';
import { programGraph } from '../program/graph.js';
import { EXIT } from '../run/exit.js';

const USAGE = `usage: dirtyrace export --promela [--arch A] [--models DIR] FILE OUT

Writes FILE's checked model as Promela to OUT ('-' for standard output). Verify it with
  spin -o1 -o2 -o3 -a OUT && gcc -O2 -DSAFETY -DNOREDUCE -o pan pan.c && ./pan -c0 -n
(docs/PROMELA.md explains the translation and how SPIN's numbers map to dirtyrace's).`;

export async function runExport(argv: readonly string[], io: { stdout(s: string): void; stderr(s: string): void }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: {
      promela: { type: 'boolean' }, arch: { type: 'string' }, models: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' },
    } });
  } catch (e) {
    io.stderr(`dirtyrace: ${(e as Error).message}\n\n${USAGE}\n`);
    return EXIT.badInput;
  }
  const { values, positionals } = parsed;
  if (values.help) { io.stdout(`${USAGE}\n`); return EXIT.ok; }
  if (!values.promela || positionals.length !== 2) {
    io.stderr(`dirtyrace: export needs --promela, a scenario file and an output file\n\n${USAGE}\n`);
    return EXIT.badInput;
  }
  const [file, out] = positionals as [string, string];
  try {
    // Promela processes are sequentially consistent: arm64's relaxed mode is not exported.
    const text = toPromela(programGraph(modelOfFile(file, { arch: values.arch, modelDirs: values.models ?? [], memory: 'sc' })));
    if (out === '-') io.stdout(text); else writeFileSync(out, text);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof Diagnostic) { io.stderr(`${formatDiagnostic(e)}\n`); return EXIT.badInput; }
    const msg = (e as Error).message ?? String(e);
    if (msg.startsWith('export:')) { io.stderr(`dirtyrace: ${msg}\n`); return EXIT.badInput; }
    throw e;
  }
}
