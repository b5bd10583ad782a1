// C written where dirtyrace was expected. Kernel developers type C by habit; the parser's raw
// "expected ..." says nothing about what to write instead. These rules look at the text around a
// syntax error (or at an unknown name) and, when it is a C form, say the dirtyrace one.
import { lineEnd } from './nesting.js';
import { Diagnostic, type SourceFile } from './source.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
/** How much text either side of the error the rules read: C forms are short, and it keeps the end-anchored patterns linear on huge lines. */
const REACH = 200;

/** Kernel lock calls and the dirtyrace statement each one is. */
const LOCK_CALLS = new Map([
  ['spin_lock', 'lock'], ['spin_lock_irq', 'lock'], ['spin_lock_irqsave', 'lock'], ['spin_lock_bh', 'lock'],
  ['spin_unlock', 'unlock'], ['spin_unlock_irq', 'unlock'], ['spin_unlock_irqrestore', 'unlock'], ['spin_unlock_bh', 'unlock'],
  ['mutex_lock', 'lock'], ['mutex_unlock', 'unlock'],
  ['down_read', 'down_read'], ['up_read', 'up_read'], ['down_write', 'down_write'], ['up_write', 'up_write'],
  ['pte_offset_map_lock', 'lock'], ['pte_unmap_unlock', 'unlock'],
  ['mmap_read_lock', 'down_read'], ['mmap_read_unlock', 'up_read'], ['mmap_write_lock', 'down_write'], ['mmap_write_unlock', 'up_write'],
  ['downgrade_write', 'downgrade_write'], ['mmap_write_downgrade', 'downgrade_write'],
]);

/** The message for a C form at a syntax error at `pos`, or undefined when the text there is not one. */
export function cSyntaxError(file: SourceFile, pos: number, keywords: ReadonlySet<string>): Diagnostic | undefined {
  const t = file.text;
  const p = pos + (t.slice(pos).match(/^\s*/)![0].length);
  const at = (start: number, end: number, message: string, hint?: string) => new Diagnostic({ file, start, end }, message, hint);
  const before = t.slice(Math.max(t.lastIndexOf('\n', p - 1) + 1, p - REACH), p);
  const after = (from: number) => t.slice(from, from + REACH);
  const prevName = before.match(/[A-Za-z_][A-Za-z0-9_]*\s*$/)?.[0].trim();

  if (t[p] === '#') {
    const end = lineEnd(t, p);
    const directive = t.slice(p, end).match(/^#\s*(\w*)\s*(\w*)\s*(.*)$/);
    if (directive?.[1] === 'define') {
      const value = directive[3]!.trim() || 'VALUE';
      return at(p, end, 'there is no preprocessor: `#define` is C',
        `for a constant write \`param int[LO..HI] ${directive[2] || 'NAME'} = ${value};\` in a model or library, or the number itself`);
    }
    if (directive?.[1] === 'include') {
      return at(p, end, 'there is no preprocessor: `#include` is C', 'write `use linux;` for the kernel library, `use x86_64;` (or another model) for the architecture');
    }
    return at(p, end, 'there is no preprocessor: lines starting with `#` are C');
  }
  if (t.startsWith('->', p) || (t[p] === '>' && t[p - 1] === '-')) {
    const s = t[p] === '>' ? p - 1 : p;
    return at(s, s + 2, 'C\'s `->`: there are no pointers or structs',
      'a PTE is a value: `let v = ptep_get(P);` reads it, `pte_dirty(v)` (or `v.dirty`) a flag, `set_pte(P, v);` stores it');
  }
  // After an operand (and not a declaration's type), `&`, `|` and `*` are C's binary operators.
  const operand = /[A-Za-z0-9_)\]]\s*$/.test(before) && !/(^|[{};])\s*[A-Za-z_][A-Za-z0-9_]*\s*$/.test(before);
  if (operand && ((t[p] === '&' && t[p + 1] !== '&') || (t[p] === '|' && t[p + 1] !== '|'))) {
    return at(p, p + 1, `there are no bit operations: \`${t[p]}\` is C`,
      `for booleans write \`${t[p]}${t[p]}\`; test and set PTE flags with the model's helpers (\`pte_dirty(v)\`, \`pte_mkclean(v)\`)`);
  }
  if (operand && (t[p] === '*' || t[p] === '/' || t[p] === '%')) {
    return at(p, p + 1, `there is no \`${t[p]}\`: the arithmetic is \`+\` and \`-\``);
  }
  if (t[p] === '&' && t[p + 1] !== '&') {
    const name = after(p + 1).match(NAME)?.[0] ?? 'NAME';
    const call = before.match(/([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*$/)?.[1];
    const op = call === undefined ? undefined : LOCK_CALLS.get(call);
    if (op !== undefined) {
      const close = t.indexOf(')', p);
      const start = p - before.length + before.lastIndexOf(call!);
      return at(start, close < 0 ? p + 1 + name.length : close + 1, `write \`${op}(${name});\` — locks are named, not addressed`);
    }
    return at(p, p + 1 + name.length, `there are no pointers: write \`${name}\`, not \`&${name}\``);
  }
  if (t[p] === '*') {
    const name = after(p + 1).match(NAME)?.[0] ?? 'ptep';
    const call = before.match(/(READ_ONCE|WRITE_ONCE)\s*\(\s*$/)?.[1];
    if (call === undefined) {
      return at(p, p + 1 + name.length, 'there are no pointers: `*` is C', 'name the page (`P`) and read its PTE with `ptep_get(P)`');
    }
    const start = p - before.length + before.lastIndexOf(call);
    const close = t.indexOf(')', p);
    const what = call === 'WRITE_ONCE' ? 'write `set_pte(P, v);`' : 'write `ptep_get(P)`';
    return at(start, close < 0 ? p + 1 + name.length : close + 1, `${what} — a PTE is named by its page (\`P\`); there are no pointers`);
  }
  const incr = ['++', '--', '+=', '-='].find((op) => t.startsWith(op, p) || t.startsWith(op, p - 1));
  if (incr !== undefined) {
    const s = t.startsWith(incr, p) ? p : p - 1;
    const target = t.slice(Math.max(0, s - REACH), s).match(/([A-Za-z_][A-Za-z0-9_.[\]]*)\s*$/)?.[1] ?? after(s + 2).match(/^\s*([A-Za-z_][A-Za-z0-9_]*)/)?.[1] ?? 'n';
    const rhs = incr[1] === '=' ? after(s + 2).match(/^[^;\n]*/)![0].trim() || '1' : '1';
    return at(s, s + 2, `there is no \`${incr}\`: write \`${target} = ${target} ${incr[0]} ${rhs};\``);
  }
  if (t[p] === '=' && t[p + 1] !== '=' && t[p + 1] !== '>' && openParen(before)) {
    return at(p, p + 1, '`=` assigns; to compare write `==`');
  }
  if (t[p] === '(' && prevName === 'for') {
    const close = matching(t, p);
    const header = t.slice(p + 1, Math.min(close, p + 1 + REACH));
    const m = header.match(/^\s*(?:[A-Za-z_]\w*\s+)?([A-Za-z_]\w*)\s*=\s*([^;]+?)\s*;\s*\1\s*(<=?)\s*([^;]+?)\s*;/);
    const hi = m === undefined || m === null ? 'HI' : m[3] === '<=' ? m[4]! : /^\d+$/.test(m[4]!) ? String(Number(m[4]) - 1) : `${m[4]} - 1`;
    const form = `for ${m?.[1] ?? 'i'} in ${m?.[2] ?? 'LO'}..${hi} { ... }`;
    return at(p - before.length + before.lastIndexOf('for'), close + 1, `C's \`for (...;...;...)\`: write \`${form}\``,
      'the range includes both bounds, which must be constants; the loop is unrolled');
  }
  // Only inside a block: at the top level `TYPE NAME ...;` is a global's declaration, or another item.
  const decl = insideBlock(t, p) ? declaration(t, p, before) : undefined;
  if (decl !== undefined && !decl.words.some((w) => keywords.has(w))) {
    return at(decl.start, decl.end, `C declaration: write \`let ${decl.name} = ${decl.init ?? 'VALUE'};\``,
      'a local is declared with `let` and takes its type from its value (or `let x: int[0..3] = 0;`)');
  }
  return undefined;
}

/**
 * Kernel mm functions a scenario author may call that no bundled model or library defines. Such a
 * name is never "corrected" to a library name a letter or a word away (`ptep_clear_flush_young`
 * is not `ptep_clear_flush`): the author meant the kernel's function.
 */
const KERNEL_NAMES = new Set([
  'ptep_clear_flush_young', 'ptep_clear_young_notify', 'ptep_clear_flush_notify', 'ptep_get_and_clear_full', 'ptep_clear',
  'pte_clear', 'pte_mkexec', 'pte_exec', 'pte_special', 'pte_mkspecial', 'pte_modify', 'pfn_pte',
  'pte_mkhuge', 'pte_mkinvalid', 'pte_protnone', 'pte_swp_soft_dirty', 'pte_swp_mksoft_dirty',
  'tlb_remove_tlb_entry', 'tlb_flush_mmu', 'tlb_flush_mmu_tlbonly', 'tlb_remove_page', 'flush_tlb_all', 'flush_tlb_batched_pending',
  'arch_tlbbatch_add_pending', 'arch_tlbbatch_flush', 'try_to_unmap_flush', 'try_to_unmap_flush_dirty', 'try_to_unmap_one',
  'page_mkclean', 'folio_mark_dirty', 'set_page_dirty', 'folio_mark_accessed', 'do_wp_page', 'wp_page_copy', 'wp_page_reuse',
  'handle_pte_fault', 'do_anonymous_page', 'do_numa_page', 'change_pte_range', 'change_protection', 'zap_pte_range',
  'madvise_free_pte_range', 'clear_refs_pte_range', 'mmu_notifier_invalidate_range_start', 'mmu_notifier_invalidate_range_end',
  'flush_cache_page', 'flush_cache_range', 'update_mmu_cache', 'arch_enter_lazy_mmu_mode', 'arch_leave_lazy_mmu_mode',
  'uffd_wp_range', 'mwriteprotect_range', 'move_ptes',
]);

/** What to write for a C type or kernel name that is not a dirtyrace one (a hint), or undefined. */
export function cNameHint(name: string, what: 'type' | 'call'): string | undefined {
  if (what === 'type') {
    if (/^(int|long|short|char|unsigned|signed|size_t|[us](8|16|32|64)|atomic_t)$/.test(name)) {
      return `an int needs its range: write \`int[0..3]\` (every value is explored, so the range is finite)`;
    }
    if (name === 'pte_t') return 'the PTE type is `pte`';
    if (name === 'spinlock_t' || name === 'struct') return 'a lock is declared on its own: `spinlock ptl;` (or `rwsem NAME;`)';
    if (name === '_Bool') return 'write `bool`';
    return undefined;
  }
  const op = LOCK_CALLS.get(name);
  if (op !== undefined) return `write \`${op}(ptl);\` — locking is a statement, and locks are named, not addressed`;
  if (name === 'READ_ONCE' || name === 'ptep_get_lockless') return 'write `ptep_get(P)` — a PTE is named by its page';
  if (name === 'WRITE_ONCE' || name === 'set_pte_at') return 'write `set_pte(P, v);` — a PTE is named by its page';
  if (/^(smp_)?(mb|rmb|wmb|barrier)$/.test(name)) return 'steps take effect in program order (no reordering is modelled): leave barriers out';
  if (/^(pmdp?|pudp?|p4dp?|pgdp?)_/.test(name)) return 'the models have one page-table level, the PTEs: `pmd`/`pud`/`pgd` entries are not modelled';
  if (KERNEL_NAMES.has(name)) {
    return `'${name}' is a kernel function the used models and libraries do not have: write it as a proc in the scenario (models/linux.lib shows how, citing the kernel source)`;
  }
  return undefined;
}

/** Whether a `(` is still open at the end of `before` (the position is inside a test). */
function openParen(before: string): boolean {
  let depth = 0;
  for (const c of before) depth += c === '(' ? 1 : c === ')' ? -1 : 0;
  return depth > 0;
}

function matching(t: string, open: number): number {
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')' && --depth === 0) return i;
  }
  return lineEnd(t, open) - 1;
}

/** Whether more `{` than `}` precede `p` (comments aside: this only picks a message). */
function insideBlock(t: string, p: number): boolean {
  let depth = 0;
  for (let i = 0; i < p; i++) depth += t[i] === '{' ? 1 : t[i] === '}' ? -1 : 0;
  return depth > 0;
}

/** `TYPE... NAME = INIT;`, `TYPE... NAME;` or `TYPE... NAME[` at the start of a statement, the error at one of its words. */
function declaration(t: string, p: number, before: string): { start: number; end: number; name: string; words: string[]; init?: string } | undefined {
  const typesBefore = before.match(/(?:[A-Za-z_][A-Za-z0-9_]*\s+)+$/)?.[0];
  if (typesBefore === undefined || !/(^|[{};])\s*$/.test(before.slice(0, before.length - typesBefore.length))) return undefined;
  const m = t.slice(p, p + REACH).match(/^((?:[A-Za-z_][A-Za-z0-9_]*\s+)*)([A-Za-z_][A-Za-z0-9_]*)\s*(=(?!=)\s*([^;\n]*?)\s*;|;|\[)/);
  if (m === null) return undefined;
  const init = m[4]?.length ? m[4] : undefined;
  const words = `${typesBefore} ${m[1]} ${m[2]}`.split(/\s+/).filter(Boolean);
  return { start: p - typesBefore.length, end: p + m[1]!.length + m[2]!.length, name: m[2]!, words, init };
}
