// A litmus test through the pipeline: parse → translate → the normal check of the generated
// scenario → herd's verdict. Allowed: some final state satisfies the condition; Forbidden: none;
// Required: all (`forall`). For `~exists C` herd's kind is the same question about C
// (Forbidden = C never holds), only its validation is inverted.
import { Diagnostic, formatDiagnostic, type SourceFile } from '../lang/source.js';
import { formatTrace } from '../report/text.js';
import { checkScenario } from '../run/check.js';
import { runOptions, type RunOptions } from '../run/options.js';
import { parseLitmus } from './parse.js';
import { translate } from './translate.js';

export type LitmusVerdict = 'Allowed' | 'Forbidden' | 'Required';

export type LitmusResult =
  | { readonly kind: 'decided'; readonly name: string; readonly verdict: LitmusVerdict; readonly states: number; readonly arch: string; readonly scenario: string; readonly witness?: string }
  | { readonly kind: 'unsupported' | 'bad-input'; readonly name?: string; readonly diagnostic: Diagnostic }
  /** The search reached the state limit first. */
  | { readonly kind: 'too-large'; readonly name: string; readonly states: number; readonly scenario: string }
  /** The generated scenario did not check: a bug in the translation. */
  | { readonly kind: 'internal-error'; readonly name?: string; readonly message: string; readonly scenario?: string };

export async function checkLitmus(source: SourceFile, options: Partial<RunOptions> = {}): Promise<LitmusResult> {
  let name: string | undefined;
  let scenario: string;
  try {
    const test = parseLitmus(source);
    name = test.name;
    const tr = translate(test);
    scenario = tr.text;
  } catch (e) {
    if (!(e instanceof Diagnostic)) throw e;
    return { kind: e.message.startsWith('unsupported:') ? 'unsupported' : 'bad-input', name, diagnostic: e };
  }
  const r = await checkScenario({ path: `${source.path}.race`, text: scenario }, runOptions({ ...options, arch: undefined }));
  if (r.kind === 'bad-input') return { kind: 'internal-error', name, message: formatDiagnostic(r.diagnostic), scenario };
  if (r.kind === 'internal-error') return { kind: 'internal-error', name, message: r.message, scenario };
  const prop = (n: string) => r.verdict.properties.find((p) => p.property.name === n)!;
  const never = prop('never');
  const always = r.verdict.properties.find((p) => p.property.name === 'always');
  const states = r.result.states;
  if (r.result.limit) return { kind: 'too-large', name: name!, states, scenario };
  const some = never.status === 'violated';
  const verdict: LitmusVerdict = always && always.status === 'holds' && some ? 'Required' : some ? 'Allowed' : 'Forbidden';
  const witness = some ? formatTrace(r.ts, r.result, never) : undefined;
  return { kind: 'decided', name: name!, verdict, states, arch: r.model.arch.name, scenario, witness };
}
