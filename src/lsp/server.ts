// `dirtyrace lsp`: a language server over stdio. Diagnostics are `check`'s own (the library's
// checkText, so the editor shows the messages the command prints), bounded so typing stays
// responsive; definitions, hover and completion come from the model and library files.
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CompletionItemKind, DiagnosticSeverity, MarkupKind, TextDocuments, TextDocumentSyncKind, createConnection,
  type CompletionItem, type Diagnostic as LspDiagnostic, type Hover, type Location as LspLocation,
} from 'vscode-languageserver/node';
import { BUILTIN_CALLS } from '../check/scope.js';
import type { Io } from '../cli/usage.js';
import { checkText } from '../index.js';
import { EXIT } from '../run/exit.js';
import { parseFile } from '../lang/parse.js';
import { noteText, type SourceFile } from '../lang/source.js';
import type { Location } from '../report/coverage.js';
import { ModelIndex, definitionsOf, position, usesOf, wordAt, type Definition, type DefinitionKind } from './definitions.js';

/** A check as you type stops here (inconclusive, no diagnostic): errors are found before the search. */
const MAX_STATES = 200_000;
/** ...and after this long, so a large scenario does not hold up the next keystroke's check. */
const TIME_LIMIT_MS = 2_000;
/** A check starts once the text has been still this long: typing a word costs one check, not one a letter. */
const SETTLE_MS = 150;

const USAGE = `usage: dirtyrace lsp [--stdio]

A language server for editors on stdin/stdout (--stdio, which editors pass, is the only transport):
check's diagnostics as you type, go to definition, hover and completion of library names.
editors/ in the package has a VS Code extension and a vim syntax file that use it.`;

export function runLsp(args: readonly string[], io: Io): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) { io.stdout(`${USAGE}\n`); return Promise.resolve(EXIT.ok); }
  const unknown = args.find((a) => a !== '--stdio');
  if (unknown !== undefined) { io.stderr(`dirtyrace lsp: unknown option '${unknown}'\n\n${USAGE}\n`); return Promise.resolve(EXIT.badInput); }
  const connection = createConnection(process.stdin, process.stdout);
  const documents = new TextDocuments(TextDocument);
  const models = new ModelIndex();
  /** The newest version asked to be checked, per document: a slower older check publishes nothing. */
  const latest = new Map<string, number>();

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      definitionProvider: true,
      hoverProvider: true,
      completionProvider: { triggerCharacters: [] },
    },
  }));

  documents.onDidChangeContent(async ({ document }) => {
    latest.set(document.uri, document.version);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    if (latest.get(document.uri) !== document.version) return;
    const diagnostics = await diagnose(document);
    if (latest.get(document.uri) === document.version) connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
  });
  documents.onDidClose(({ document }) => {
    latest.delete(document.uri);
    connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  /** The definitions a document sees: its own declarations first, then its models' and libraries'. */
  const visible = (doc: TextDocument): Definition[] => {
    const file = sourceOf(doc);
    let own: Definition[] = [];
    try { own = definitionsOf(file, parseFile(file)); } catch { /* mid-edit: only the models' names */ }
    const uses = usesOf(file.text);
    return [...own, ...(uses.length > 0 ? models.visible(dirname(file.path), uses) : models.allBundled())];
  };
  const lookup = (uri: string, pos: { line: number; character: number }): Definition | undefined => {
    const doc = documents.get(uri);
    const w = doc === undefined ? undefined : wordAt(doc.getText(), doc.offsetAt(pos));
    return w === undefined ? undefined : visible(doc!).find((d) => d.name === w.word);
  };

  connection.onDefinition(({ textDocument, position: pos }): LspLocation | null => {
    const d = lookup(textDocument.uri, pos);
    return d === undefined ? null : { uri: pathToFileURL(d.file.path).href, range: { start: position(d.file, d.start), end: position(d.file, d.end) } };
  });
  connection.onHover(({ textDocument, position: pos }): Hover | null => {
    const d = lookup(textDocument.uri, pos);
    if (d === undefined) return null;
    const where = `${d.file.path}:${position(d.file, d.start).line + 1}${d.source === undefined ? '' : ` — kernel source: ${d.source}`}`;
    const doc = d.doc === '' ? '' : `\n\n${d.doc.split('\n').map((l) => (l.startsWith('  ') ? `    ${l}` : l)).join('\n')}`;
    return { contents: { kind: MarkupKind.Markdown, value: `\`\`\`dirtyrace\n${d.signature}\n\`\`\`${doc}\n\n*${where}*` } };
  });
  connection.onCompletion(({ textDocument }): CompletionItem[] => {
    const doc = documents.get(textDocument.uri);
    if (doc === undefined) return [];
    const items = new Map<string, CompletionItem>();
    for (const d of visible(doc)) {
      if (!items.has(d.name)) items.set(d.name, { label: d.name, kind: COMPLETION_KIND.get(d.kind), detail: d.signature, documentation: d.doc || undefined });
    }
    for (const b of BUILTIN_CALLS) if (!items.has(b)) items.set(b, { label: b, kind: CompletionItemKind.Function, detail: 'built-in' });
    return [...items.values()];
  });

  documents.listen(connection);
  connection.listen();
  return new Promise((resolve) => connection.onExit(() => resolve(0)));
}

const COMPLETION_KIND = new Map<DefinitionKind, CompletionItemKind>([
  ['model', CompletionItemKind.Module], ['proc', CompletionItemKind.Function], ['fn', CompletionItemKind.Function], ['hardware', CompletionItemKind.Event],
  ['param', CompletionItemKind.Constant], ['page', CompletionItemKind.Variable], ['frame', CompletionItemKind.Variable],
  ['lock', CompletionItemKind.Variable], ['var', CompletionItemKind.Variable], ['cpu', CompletionItemKind.Module],
  ['enum', CompletionItemKind.EnumMember],
]);

function sourceOf(doc: TextDocument): SourceFile {
  return { path: doc.uri.startsWith('file:') ? fileURLToPath(doc.uri) : doc.uri, text: doc.getText() };
}

/** `check`'s verdict on the text as diagnostics: the bad-input error at its span, each unmet expectation at its property. */
async function diagnose(doc: TextDocument): Promise<LspDiagnostic[]> {
  const file = sourceOf(doc);
  const r = await checkText(file.text, { path: file.path, maxStates: MAX_STATES, timeLimitMs: TIME_LIMIT_MS });
  if (r.kind === 'internal-error') return [{ range: rangeAt(null), severity: DiagnosticSeverity.Error, message: `internal error: ${r.message}`, source: 'dirtyrace' }];
  if (r.kind === 'bad-input') {
    const d = r.diagnostic;
    const here = d.span.file.path === file.path;
    const elsewhere = here ? '' : `${r.report.error?.location?.file}:${r.report.error?.location?.line}:${r.report.error?.location?.col}: `;
    return [{
      range: here ? { start: doc.positionAt(d.span.start), end: doc.positionAt(Math.max(d.span.end, d.span.start + 1)) } : rangeAt(null),
      severity: DiagnosticSeverity.Error, message: `${elsewhere}${d.message}${d.hint ? `\n${d.hint}` : ''}${d.note ? `\nnote: ${noteText(d.note)}` : ''}`, source: 'dirtyrace',
    }];
  }
  return r.report.properties.filter((p) => (p.status === 'violated') !== p.expectedViolated && p.status !== 'unknown').map((p) => ({
    range: rangeAt(p.location?.file === file.path ? p.location : null),
    severity: DiagnosticSeverity.Warning,
    message: p.expectedViolated ? `${p.name} holds, but the scenario expects it violated` : `${p.name} is violated (run \`dirtyrace check\` for the trace)`,
    source: 'dirtyrace',
  }));
}

function rangeAt(l: Location | null) {
  if (l === null) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return { start: { line: l.line - 1, character: l.col - 1 }, end: { line: l.endLine - 1, character: l.endCol - 1 } };
}
