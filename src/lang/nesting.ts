// The parser and every later stage recurse over the syntax tree, so a deep tree could exhaust
// the stack. Before parsing, a scan over the tokens bounds the tree's depth from above: every
// bracket opens a level (a round or square one two: the parser descends through every precedence
// level inside it), and within one expression or statement every operator, label colon and
// `else`, `with`, `if`, `while`, `for` may add one (`!!!x`, `a || b || ...`, `c ? x : c ? y : ...`,
// `else if` chains, `if (a) if (b) ...`).
// Past the bound the file is refused at the token that crossed it.
import { Diagnostic, type SourceFile } from './source.js';

/** The deepest estimated nesting a file may use. */
export const MAX_NESTING = 200;

const OPERATOR = /\|\||&&|=>|==|!=|<=|>=|\.\.|[<>+\-!?:.]/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const SPACE = /\s*/y;
const NESTING_WORDS = new Set(['else', 'with', 'if', 'while', 'for']);

/** The token of `re` at offset `at`, if one starts there. */
function tokenAt(re: RegExp, t: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(t)?.[0];
}

export function checkNesting(file: SourceFile): void {
  const t = file.text;
  const open: number[] = []; // per open bracket: its weight + the operator count of the level it interrupts
  let outer = 0; // the sum of open
  let ops = 0; // operators so far in the current expression or statement
  const check = (at: number, len: number) => {
    if (outer + ops > MAX_NESTING) {
      throw new Diagnostic({ file, start: at, end: at + len }, `nested deeper than ${MAX_NESTING} levels`,
        'split the expression or statement: name parts with `let` or a `fn`, or use fewer `else if` branches');
    }
  };
  for (let i = 0; i < t.length;) {
    const c = t[i]!;
    if (t.startsWith('//', i)) { i = lineEnd(t, i); continue; }
    if (t.startsWith('/*', i)) { const e = t.indexOf('*/', i + 2); i = e < 0 ? t.length : e + 2; continue; }
    if (c === '(' || c === '[' || c === '{') {
      const level = ops + (c === '{' ? 1 : 2);
      open.push(level); outer += level; ops = 0; check(i, 1); i++; continue;
    }
    if (c === ')' || c === ']' || c === '}') {
      const before = open.pop();
      if (before !== undefined) { outer -= before; ops = before - (c === '}' ? 1 : 2); }
      i++;
      // A block that ends a statement ends its operator chain, unless `else` or `with` goes on.
      if (c === '}' && !continues(t, i)) ops = 0;
      continue;
    }
    if (c === ';' || c === ',') { ops = 0; i++; continue; }
    const word = tokenAt(WORD, t, i);
    if (word !== undefined) {
      if (NESTING_WORDS.has(word)) { ops++; check(i, word.length); }
      i += word.length;
      continue;
    }
    const op = tokenAt(OPERATOR, t, i);
    if (op !== undefined) { ops++; check(i, op.length); i += op.length; continue; }
    i++;
  }
}

/** Where the line holding offset `i` ends (at LF or CR). */
export function lineEnd(t: string, i: number): number {
  const n = t.indexOf('\n', i);
  const r = t.indexOf('\r', i);
  const ends = [n, r].filter((x) => x >= 0);
  return ends.length ? Math.min(...ends) : t.length;
}

/** Whether the text after a `}` continues the same expression or statement. */
function continues(t: string, i: number): boolean {
  const at = i + tokenAt(SPACE, t, i)!.length;
  const word = tokenAt(WORD, t, at);
  if (word !== undefined) return word === 'else' || word === 'with';
  return tokenAt(OPERATOR, t, at) !== undefined || t[at] === '=';
}
