// herd7's AArch64 litmus format, as the aarch64-VMSA catalogue writes it: the `AArch64 NAME`
// line, `KEY=VALUE` headers, the `{ ... }` initial state, the thread table (`P0 | P1 ;` and one
// row of instructions per line), then `locations`/`filter` clauses and the final condition.
// Comments `(* ... *)` may stand anywhere. Errors are Diagnostics located in the .litmus text.
import { Diagnostic, type SourceFile, type Span } from '../lang/source.js';
import type { Cell, Cond, Final, InitItem, LitmusTest, Loc, Operand, PteLit, Value } from './ast.js';

/** The descriptor fields herd's VMSA model gives a PTE literal, with their defaults. */
export const PTE_DEFAULTS: ReadonlyMap<string, number> = new Map([['valid', 1], ['af', 1], ['db', 1], ['dbm', 0]]);

/** The comments blanked out (offsets kept), so every later position is a position in the file. */
function blankComments(file: SourceFile): string {
  const t = file.text.split('');
  let depth = 0;
  let start = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '(' && t[i + 1] === '*') {
      if (depth === 0) start = i;
      depth++;
      t[i] = ' '; t[i + 1] = ' '; i++;
    } else if (depth > 0 && t[i] === '*' && t[i + 1] === ')') {
      depth--;
      t[i] = ' '; t[i + 1] = ' '; i++;
    } else if (depth > 0 && t[i] !== '\n' && t[i] !== '\r') t[i] = ' ';
  }
  if (depth > 0) throw new Diagnostic({ file, start, end: start + 2 }, 'syntax error: comment (* not closed by *)');
  return t.join('');
}

interface Tok { readonly s: string; readonly start: number; readonly end: number }

/** Tokens of a condition or initial state: names, numbers, strings and punctuation. */
function tokenize(file: SourceFile, text: string, from: number, to: number): Tok[] {
  const toks: Tok[] = [];
  let i = from;
  while (i < to) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const two = text.slice(i, i + 2);
    if (two === '/\\' || two === '\\/' || two === '<>') { toks.push({ s: two, start: i, end: i + 2 }); i += 2; continue; }
    if (c === '"') {
      const j = text.indexOf('"', i + 1);
      if (j < 0 || j >= to) throw new Diagnostic({ file, start: i, end: i + 1 }, 'syntax error: string not closed');
      toks.push({ s: text.slice(i, j + 1), start: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    const m = /^(0x[0-9a-fA-F]+|[A-Za-z_0-9][A-Za-z_0-9.]*)/.exec(text.slice(i, Math.min(to, i + 200)));
    if (m) { toks.push({ s: m[0], start: i, end: i + m[0].length }); i += m[0].length; continue; }
    if ('()[]=:,;~&*{}-#'.includes(c)) { toks.push({ s: c, start: i, end: i + 1 }); i++; continue; }
    throw new Diagnostic({ file, start: i, end: i + 1 }, `syntax error: unexpected character '${c}'`);
  }
  return toks;
}

class Toks {
  private i = 0;
  constructor(readonly file: SourceFile, readonly toks: Tok[], readonly endOffset: number) {}
  peek(n = 0): Tok | undefined { return this.toks[this.i + n]; }
  next(): Tok { const t = this.toks[this.i]; if (!t) throw this.err('more text'); this.i++; return t; }
  done(): boolean { return this.i >= this.toks.length; }
  is(s: string, n = 0): boolean { return this.toks[this.i + n]?.s === s; }
  eat(s: string): boolean { if (this.is(s)) { this.i++; return true; } return false; }
  expect(s: string): Tok { if (!this.is(s)) throw this.err(`'${s}'`); return this.next(); }
  span(t: Tok): Span { return { file: this.file, start: t.start, end: t.end }; }
  from(start: number): Span { const last = this.toks[this.i - 1]; return { file: this.file, start, end: last ? last.end : start }; }
  err(expected: string): Diagnostic {
    const t = this.peek();
    const at = t ? { start: t.start, end: t.end } : { start: this.endOffset, end: this.endOffset };
    return new Diagnostic({ file: this.file, ...at }, `syntax error: expected ${expected}, found ${t ? `'${t.s}'` : 'the end of the clause'}`);
  }
}

function intOf(s: string): bigint | undefined {
  return /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(s) ? BigInt(s) : undefined;
}

const REG = /^([XWxw])([0-9]|[12][0-9]|30)$/;

/** `N:Xk` at the cursor (N a thread number). */
function regLoc(t: Toks): Loc | undefined {
  const n = t.peek();
  const r = t.peek(2);
  const thread = n ? /^P?([0-9]+)$/.exec(n.s) : null;
  if (!n || !thread || !t.is(':', 1) || !r || !REG.test(r.s)) return undefined;
  t.next(); t.next(); t.next();
  return { k: 'reg', thread: Number(thread[1]), reg: Number(REG.exec(r.s)![2]), span: { file: t.file, start: n.start, end: r.end } };
}

/** `PTE(x)`, `PA(x)` and `TTD(x)`-style wrappers: the name inside. */
function wrapped(t: Toks, fn: string): string {
  t.expect(fn); t.expect('(');
  const n = t.next();
  if (!/^[A-Za-z_]\w*$/.test(n.s)) throw new Diagnostic(t.span(n), `syntax error: expected a variable name in ${fn}( )`);
  t.expect(')');
  return n.s;
}

function nameValue(t: Toks, tok: Tok): Value {
  const span = t.span(tok);
  if (tok.s.startsWith('pte_')) return { k: 'pteaddr', name: tok.s.slice(4), span };
  if (tok.s.startsWith('phy_')) return { k: 'pa', name: tok.s.slice(4), span };
  return { k: 'va', name: tok.s, span };
}

function pteLit(t: Toks): PteLit {
  const open = t.expect('(');
  let oa: string | undefined;
  const fields = new Map<string, number>();
  if (!t.is(')')) {
    do {
      const f = t.next();
      t.expect(':');
      if (f.s === 'oa') {
        if (t.is('PA')) oa = wrapped(t, 'PA');
        else {
          const v = t.next();
          if (!v.s.startsWith('phy_')) throw new Diagnostic(t.span(v), "unsupported: an output address other than phy_NAME or PA(NAME)");
          oa = v.s.slice(4);
        }
      } else if (PTE_DEFAULTS.has(f.s)) {
        const v = t.next();
        if (v.s !== '0' && v.s !== '1') throw new Diagnostic(t.span(v), `syntax error: expected 0 or 1 for descriptor field '${f.s}'`);
        fields.set(f.s, Number(v.s));
      } else throw new Diagnostic(t.span(f), `unsupported: descriptor field '${f.s}' (supported: oa, valid, af, db, dbm)`);
    } while (t.eat(','));
  }
  t.expect(')');
  return { k: 'pte', oa, fields, span: t.from(open.start) };
}

function value(t: Toks): Value {
  const tok = t.peek();
  if (!tok) throw t.err('a value');
  if (tok.s === '(') return pteLit(t);
  if (tok.s === '-') throw new Diagnostic(t.span(tok), 'unsupported: a negative value');
  if (tok.s === '&') { t.next(); const n = t.next(); return nameValue(t, n); }
  if (tok.s === 'PTE') { const name = wrapped(t, 'PTE'); return { k: 'pteaddr', name, span: t.from(tok.start) }; }
  if (tok.s === 'PA') { const name = wrapped(t, 'PA'); return { k: 'pa', name, span: t.from(tok.start) }; }
  if (tok.s === 'label' && t.is(':', 1)) {
    t.next(); t.next();
    const str = t.next();
    const m = /^"P([0-9]+):(\w+)"$/.exec(str.s);
    if (!m) throw new Diagnostic(t.span(str), 'syntax error: expected label:"Pn:LABEL"');
    return { k: 'label', thread: Number(m[1]), label: m[2]!, span: t.from(tok.start) };
  }
  t.next();
  const n = intOf(tok.s);
  if (n !== undefined) return { k: 'int', n, span: t.span(tok) };
  if (/^[A-Za-z_]\w*$/.test(tok.s)) return nameValue(t, tok);
  throw new Diagnostic(t.span(tok), `syntax error: expected a value, found '${tok.s}'`);
}

/** A location: `N:Xk`, `x`, `pte_x`, `[x]`, `[PTE(x)]`. */
function location(t: Toks): Loc {
  const r = regLoc(t);
  if (r) return r;
  const tok = t.peek();
  if (!tok) throw t.err('a location');
  if (tok.s === '[') {
    t.next();
    const inner = t.is('PTE') ? { k: 'pte' as const, name: wrapped(t, 'PTE') } : nameLoc(t, t.next());
    t.expect(']');
    return { ...inner, span: t.from(tok.start) };
  }
  if (tok.s === 'PTE') { const name = wrapped(t, 'PTE'); return { k: 'pte', name, span: t.from(tok.start) }; }
  if (t.is('(', 1)) throw new Diagnostic(t.span(tok), `unsupported: the location ${tok.s}(...) (only PTE(x), the last-level descriptor)`);
  if (t.is('[', 1)) throw new Diagnostic(t.span(tok), 'unsupported: an array');
  return { ...nameLoc(t, t.next()), span: t.span(tok) };
}

function nameLoc(t: Toks, tok: Tok): { k: 'mem' | 'pte'; name: string } {
  if (!/^[A-Za-z_]\w*$/.test(tok.s)) throw new Diagnostic(t.span(tok), `syntax error: expected a location, found '${tok.s}'`);
  if (tok.s.startsWith('pte_')) return { k: 'pte', name: tok.s.slice(4) };
  if (tok.s.startsWith('phy_')) throw new Diagnostic(t.span(tok), 'unsupported: a physical location in the initial state or condition');
  return { k: 'mem', name: tok.s };
}

const TYPES = new Set(['int', 'uint64_t', 'uint32_t', 'int64_t', 'int32_t', 'pteval_t', 'intptr_t', 'uintptr_t', 'long']);

function initItems(t: Toks): InitItem[] {
  const items: InitItem[] = [];
  while (!t.done()) {
    if (t.eat(';')) continue;
    const first = t.peek()!;
    while (t.peek() && TYPES.has(t.peek()!.s) && !t.is('=', 1) && !t.is(';', 1)) t.next();
    t.eat('*');
    const loc = location(t);
    const v = t.eat('=') ? value(t) : undefined;
    items.push({ loc, value: v, span: t.from(first.start) });
    if (!t.done() && !t.eat(';')) throw t.err("';'");
  }
  return items;
}

function cond(t: Toks): Cond {
  let a = conj(t);
  while (t.is('\\/')) { t.next(); const b = conj(t); a = { k: 'or', a, b, span: { file: t.file, start: a.span.start, end: b.span.end } }; }
  return a;
}

function conj(t: Toks): Cond {
  let a = unary(t);
  while (t.is('/\\')) { t.next(); const b = unary(t); a = { k: 'and', a, b, span: { file: t.file, start: a.span.start, end: b.span.end } }; }
  return a;
}

function unary(t: Toks): Cond {
  const tok = t.peek();
  if (!tok) throw t.err('a condition');
  if (tok.s === '~' || (tok.s === 'not' && t.is('(', 1))) { t.next(); const a = unary(t); return { k: 'not', a, span: t.from(tok.start) }; }
  if (tok.s === '(') { t.next(); const a = cond(t); t.expect(')'); return a; }
  if (tok.s === 'true' || tok.s === 'false') { t.next(); return { k: tok.s, span: t.span(tok) }; }
  if ((tok.s === 'fault' || tok.s === 'Fault') && t.is('(', 1)) return faultAtom(t);
  const loc = location(t);
  const ne = t.eat('<>');
  if (!ne) t.expect('=');
  const v = value(t);
  const eq: Cond = { k: 'eq', loc, value: v, span: t.from(tok.start) };
  return ne ? { k: 'not', a: eq, span: eq.span } : eq;
}

/** `fault(P1)`, `fault(P1,x)`, `fault(P1:L0,x)`, `fault(P1:L0,x,MMU:Permission)`. */
function faultAtom(t: Toks): Cond {
  const head = t.next();
  t.expect('(');
  const p = t.next();
  const m = /^P([0-9]+)$/.exec(p.s);
  if (!m) throw new Diagnostic(t.span(p), `syntax error: expected a thread (P0, P1, ...), found '${p.s}'`);
  let label: string | undefined;
  let name: string | undefined;
  let kind: string | undefined;
  if (t.eat(':')) label = t.next().s;
  if (t.eat(',')) {
    const n = t.next();
    if (n.s === 'MMU') { t.expect(':'); kind = t.next().s; } else {
      name = n.s;
      if (t.eat(',')) { t.expect('MMU'); t.expect(':'); kind = t.next().s; }
    }
  }
  t.expect(')');
  return { k: 'fault', thread: Number(m[1]), label, name, kind, span: t.from(head.start) };
}

// ---- the thread table ----

function operand(file: SourceFile, text: string, start: number): Operand {
  const span = { file, start, end: start + text.length };
  const mem = /^\[\s*X([0-9]+)\s*(?:,\s*(?:X([0-9]+)|W([0-9]+)\s*,\s*SXTW)\s*)?\]$/i.exec(text);
  if (mem) {
    const index = mem[2] ?? mem[3];
    return { k: 'mem', base: Number(mem[1]), ...(index !== undefined ? { index: Number(index) } : {}), span };
  }
  if (text.startsWith('[')) throw new Diagnostic(span, 'unsupported: an addressing mode other than [Xn]');
  if (text === 'XZR' || text === 'WZR') return { k: 'reg', reg: 31, wide: text[0] === 'X', zero: true, span };
  const r = REG.exec(text);
  if (r) return { k: 'reg', reg: Number(r[2]), wide: r[1]!.toUpperCase() === 'X', zero: false, span };
  // herd takes an immediate with or without its '#'.
  if (text.startsWith('#') || /^[0-9]/.test(text)) {
    const n = intOf(text.replace(/^#/, '').trim());
    if (n === undefined) throw new Diagnostic(span, `syntax error: expected a number after '#', found '${text.slice(1)}'`);
    return { k: 'imm', n, span };
  }
  if (/^[A-Za-z_][\w.]*$/.test(text)) return { k: 'sym', text, span };
  throw new Diagnostic(span, `syntax error: unexpected operand '${text}'`);
}

/** One cell: `L0: LDR W3,[X4]`, `L1:`, or empty. `from` is its offset in the file. */
function cell(file: SourceFile, text: string, from: number): Cell {
  const labels: { name: string; span: Span }[] = [];
  let i = 0;
  const skip = () => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  skip();
  for (;;) {
    const m = /^([A-Za-z_]\w*)\s*:/.exec(text.slice(i));
    if (!m) break;
    labels.push({ name: m[1]!, span: { file, start: from + i, end: from + i + m[1]!.length } });
    i += m[0].length;
    skip();
  }
  const rest = text.slice(i).replace(/\s+$/, '');
  if (rest === '') return { labels };
  const om = /^[A-Za-z][A-Za-z0-9.]*/.exec(rest);
  if (!om) throw new Diagnostic({ file, start: from + i, end: from + i + 1 }, `syntax error: expected an instruction, found '${rest[0]}'`);
  const op = om[0].toUpperCase();
  const opSpan = { file, start: from + i, end: from + i + om[0].length };
  const args: Operand[] = [];
  let j = om[0].length;
  while (j < rest.length) {
    while (j < rest.length && /[\s,]/.test(rest[j]!)) j++;
    if (j >= rest.length) break;
    let k = j;
    if (rest[j] === '[') { k = rest.indexOf(']', j); if (k < 0) throw new Diagnostic({ file, start: from + i + j, end: from + i + j + 1 }, "syntax error: '[' not closed"); k++; } else while (k < rest.length && rest[k] !== ',') k++;
    const a = rest.slice(j, k).trim();
    args.push(operand(file, a, from + i + j));
    j = k;
  }
  return { labels, instr: { op, args, span: { file, start: from + i, end: from + i + rest.length }, opSpan } };
}

interface Line { readonly text: string; readonly start: number }

function linesOf(text: string, from: number, to: number): Line[] {
  const out: Line[] = [];
  const re = /[^\r\n]*(\r\n|\r|\n|$)/g;
  re.lastIndex = from;
  let m: RegExpExecArray | null;
  while (re.lastIndex < to && (m = re.exec(text))) {
    const body = m[0].replace(/(\r\n|\r|\n)$/, '');
    out.push({ text: body.slice(0, Math.max(0, to - m.index)), start: m.index });
    if (m[0] === '') break;
  }
  return out;
}

/** Split a table row at `|`, dropping its final `;`. */
function cellsOf(line: Line): Line[] {
  let body = line.text.replace(/\s+$/, '');
  if (body.endsWith(';')) body = body.slice(0, -1);
  const out: Line[] = [];
  let s = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i === body.length || body[i] === '|') { out.push({ text: body.slice(s, i), start: line.start + s }); s = i + 1; }
  }
  return out;
}

const CLAUSE = /^\s*(~\s*exists|exists|forall|locations|filter)\b/;

export function parseLitmus(file: SourceFile): LitmusTest {
  const text = blankComments(file);
  const at = (start: number, end: number): Span => ({ file, start, end });
  const first = /^\s*(\S+)[ \t]+(\S+)/.exec(text);
  if (!first) throw new Diagnostic(at(0, 0), 'syntax error: expected `AArch64 NAME` on the first line');
  const archStart = text.indexOf(first[1]!);
  if (first[1] !== 'AArch64') throw new Diagnostic(at(archStart, archStart + first[1]!.length), `unsupported: architecture '${first[1]}' (only AArch64 tests)`);
  const name = first[2]!;
  const open = text.indexOf('{', first[0].length);
  if (open < 0) throw new Diagnostic(at(text.length, text.length), "syntax error: expected '{' (the initial state)");
  const headers: { key: string; value: string; span: Span }[] = [];
  for (const l of linesOf(text, first.index + first[0].length, open)) {
    const m = /^\s*([A-Za-z][\w-]*)\s*=\s*(.*?)\s*$/.exec(l.text);
    if (m) { const s = l.start + l.text.indexOf(m[1]!); headers.push({ key: m[1]!, value: m[2]!, span: at(s, l.start + l.text.length) }); }
  }
  const close = text.indexOf('}', open);
  if (close < 0) throw new Diagnostic(at(open, open + 1), "syntax error: '{' not closed by '}'");
  const it = new Toks(file, tokenize(file, text, open + 1, close), close);
  const init = initItems(it);

  // The table runs from after '}' to the first clause line.
  const lines = linesOf(text, close + 1, text.length);
  let li = 0;
  while (li < lines.length && lines[li]!.text.trim() === '') li++;
  const head = lines[li];
  if (!head || !/^\s*P[0-9]/.test(head.text)) {
    const s = head ? head.start + head.text.search(/\S/) : text.length;
    throw new Diagnostic(at(s, s + 1), 'syntax error: expected the thread table (`P0 | P1 ;`)');
  }
  const threads: { id: number; handler: boolean; span: Span; cells: Cell[] }[] = [];
  for (const c of cellsOf(head)) {
    const m = /^\s*P([0-9]+)(\.F)?\s*$/.exec(c.text);
    const s = c.start + Math.max(0, c.text.search(/\S/));
    if (!m) throw new Diagnostic(at(s, s + c.text.trim().length), `syntax error: expected a thread name (P0, P1.F, ...), found '${c.text.trim()}'`);
    threads.push({ id: Number(m[1]), handler: m[2] !== undefined, span: at(s, s + c.text.trim().length), cells: [] });
  }
  li++;
  for (; li < lines.length && !CLAUSE.test(lines[li]!.text); li++) {
    const l = lines[li]!;
    if (l.text.trim() === '') continue;
    const cs = cellsOf(l);
    if (cs.length > threads.length) {
      const extra = cs[threads.length]!;
      throw new Diagnostic(at(extra.start - 1, extra.start), `syntax error: this row has ${cs.length} columns, the table ${threads.length}`);
    }
    cs.forEach((c, i) => threads[i]!.cells.push(cell(file, c.text, c.start)));
  }
  let filter: Span | undefined;
  let final: Final | undefined;
  for (; li < lines.length; li++) {
    const l = lines[li]!;
    const m = CLAUSE.exec(l.text);
    if (!m) {
      if (l.text.trim() === '') continue;
      const s = l.start + l.text.search(/\S/);
      throw new Diagnostic(at(s, s + 1), 'syntax error: expected exists, ~exists, forall, locations or filter');
    }
    const kw = m[1]!.replace(/\s+/g, '');
    const kwStart = l.start + l.text.search(/\S/);
    // A clause runs to the next clause line (or the end of the file).
    let end = li + 1;
    while (end < lines.length && !CLAUSE.test(lines[end]!.text)) end++;
    const stop = end < lines.length ? lines[end]!.start : text.length;
    const bodyStart = l.start + m[0].length;
    if (kw === 'locations') { li = end - 1; continue; }
    if (kw === 'filter') { filter = at(kwStart, kwStart + 6); li = end - 1; continue; }
    if (final) throw new Diagnostic(at(kwStart, kwStart + kw.length), 'syntax error: a second final condition');
    const t = new Toks(file, tokenize(file, text, bodyStart, stop), stop);
    const c = cond(t);
    if (!t.done()) throw t.err("'/\\', '\\/' or the end of the condition");
    final = { quant: kw === 'forall' ? 'forall' : kw === 'exists' ? 'exists' : 'not-exists', cond: c, span: at(kwStart, c.span.end) };
    li = end - 1;
  }
  if (!final) throw new Diagnostic(at(text.length, text.length), 'unsupported: a test without a final condition (exists, ~exists or forall)');
  return { name, headers, init, threads, final, filter };
}
