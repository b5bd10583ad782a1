// A scenario text checked in a test: the checked result (bad input or an internal error throws,
// with the located message), and one property's verdict.
import { checkText, formatDiagnostic, type CheckedFile, type PropertyVerdict, type RunOptions } from '../../src/index.js';

export type Checked = Extract<CheckedFile, { kind: 'checked' }>;

export async function checked(text: string, path: string, opts: Partial<RunOptions> = {}): Promise<Checked> {
  const r = await checkText(text, { path, ...opts });
  if (r.kind !== 'checked') throw new Error(r.kind === 'bad-input' ? formatDiagnostic(r.diagnostic) : r.message);
  return r;
}

/** Property `name`'s verdict. */
export function verdictOf(r: Checked, name: string): PropertyVerdict {
  const v = r.verdict.properties.find((p) => p.property.name === name);
  if (!v) throw new Error(`no property '${name}'`);
  return v;
}
