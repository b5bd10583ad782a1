// Which models a scenario asks to be checked under: its own `use` line, and each model its
// `expect on ARCH ...` lines name.
import type * as A from '../lang/ast.js';
import { parseFile } from '../lang/parse.js';
import { spanText, type SourceFile } from '../lang/source.js';

/** The text of an `--arch` value for a spec written in a file: `NAME` or `NAME(p = v, ...)`. */
export function archSpecText(spec: { name: A.Ident; args: readonly { name: A.Ident; value: A.Expr }[] }): string {
  if (!spec.args.length) return spec.name.name;
  return `${spec.name.name}(${spec.args.map((a) => `${a.name.name} = ${spanText(a.value.span).replace(/\s+/g, ' ')}`).join(', ')})`;
}

/**
 * The models to check `file` under when no `--arch` is given: the scenario's own (`undefined`),
 * then each model an `expect on ARCH` line names that differs from the `use` line. A file that
 * does not parse yields just its own (the check reports the error).
 */
export function expectedArchs(source: SourceFile): (string | undefined)[] {
  let items: A.Item[];
  try {
    items = parseFile(source).items;
  } catch {
    return [undefined];
  }
  // A spec equal to a `use` line is the scenario's own model (libraries never appear after `on`).
  const uses = new Set(items.flatMap((i) => (i.kind === 'use' ? [archSpecText(i)] : [])));
  const out: (string | undefined)[] = [undefined];
  for (const i of items) {
    if (i.kind !== 'expect' || !i.on) continue;
    const t = archSpecText(i.on);
    if (!uses.has(t) && !out.includes(t)) out.push(t);
  }
  return out;
}
