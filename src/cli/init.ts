// `dirtyrace init TEMPLATE [FILE]`: write a starting scenario of one of the usual shapes.
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TEMPLATES } from '../init/templates.js';
import { EXIT } from '../run/exit.js';
import type { Io } from './usage.js';

export const INIT_USAGE = `usage: dirtyrace init TEMPLATE [FILE]

Writes a scenario of one of the usual shapes to FILE (default TEMPLATE.race; '-' for standard
output). It checks as written (expect holds) and its first comment says how to turn it into the
race. An existing file is not overwritten. Templates:
${TEMPLATES.map((t) => `  ${t.name.padEnd(18)}${t.summary}`).join('\n')}`;

export async function runInit(argv: readonly string[], io: Io): Promise<number> {
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h' } } });
    if (parsed.values.help) { io.stdout(`${INIT_USAGE}\n`); return EXIT.ok; }
    positionals = parsed.positionals;
    if (positionals.length < 1 || positionals.length > 2) throw new Error('init takes a template name and at most one file');
  } catch (e) {
    io.stderr(`dirtyrace: ${(e as Error).message}\n\n${INIT_USAGE}\n`);
    return EXIT.badInput;
  }
  const [name, file = `${positionals[0]}.race`] = positionals as [string, string?];
  const template = TEMPLATES.find((t) => t.name === name);
  if (!template) { io.stderr(`dirtyrace: no template '${name}'\n\n${INIT_USAGE}\n`); return EXIT.badInput; }
  if (file === '-') { io.stdout(template.text); return EXIT.ok; }
  if (existsSync(file)) { io.stderr(`dirtyrace: ${file} exists; not overwritten\n`); return EXIT.badInput; }
  try {
    writeFileSync(file, template.text, { flag: 'wx' });
  } catch (e) {
    io.stderr(`dirtyrace: cannot write ${file}: ${(e as Error).message}\n`);
    return EXIT.badInput;
  }
  io.stdout(`wrote ${file} (${template.summary}); check it with: dirtyrace check ${file}\n`);
  return EXIT.ok;
}
