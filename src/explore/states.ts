// The set of visited states, behind one interface the search uses whatever the storage. States
// arrive bit-packed (pack.ts) with their hash; each implementation decides how it tells them apart.
//   ExactStates: packed states in fixed-size chunks (growth never copies them), indexed by an
//     open-addressing table whose entries carry the full hash; probing compares hashes before
//     words, growing never re-reads a state, and no state is ever mistaken for another.
//   FingerprintStates (hash compaction, opt-in): states are told apart by a 64-bit fingerprint
//     (the table hash and a second, independent one) and each packed state is dropped once it has
//     been expanded; two states with equal fingerprints are taken as one, with the probability
//     `missProbability` bounds.
//   TreeStates (tree compression, opt-in `store: 'compact'`): the packed vector is split into
//     halves recursively and every inner pair of the tree is interned in one shared node table,
//     so a state is the pair of its two halves' ids; exact, like ExactStates.
import { makePacker, type Packer } from './pack.js';

/** State numbers are 32-bit: the table holds number + 1 and the parent column numbers, both Int32. */
export const STATE_CAPACITY = 2 ** 31 - 2;
const CHUNK_BITS = 14;
export const CHUNK = 1 << CHUNK_BITS;

export interface StateSet {
  readonly packer: Packer;
  /** 32-bit words per packed state. */
  readonly words: number;
  /** States stored so far; they are numbered 0 .. count - 1 in the order they were added. */
  readonly count: number;
  /** States it can number: the search stops at this many (a states limit) rather than wrap. */
  readonly capacity: number;
  /** False when distinct states may have been merged (fingerprints). */
  readonly exact: boolean;
  /** An upper bound on the probability that some state was missed (0 for an exact set). */
  readonly missProbability: number;
  /** Bytes held by the states and the index. */
  readonly bytes: number;
  /**
   * The number of the state packed at `src[at .. at + words)` with hash `hash`, adding it if new;
   * `~number` (negative) when it was already there.
   */
  intern(src: Uint32Array | Int32Array, at: number, hash: number): number;
  /**
   * Reads the table entry where a state with this hash would be looked for first: touching the
   * entries of all of a state's successors before interning them lets their cache misses overlap.
   */
  touch(hash: number): void;
  /** The number of the state packed at `src[at]`, or -1 when it is not stored (nothing is added). */
  find(src: Uint32Array | Int32Array, at: number, hash: number): number;
  /** Unpacks state `index` into `out`; false when its packed form is no longer held. */
  load(index: number, out: Int32Array): boolean;
  /** States below `index` stay loadable for good (the initial states: traces start there). */
  keep(index: number): void;
  /** States below `index` have been expanded: a lossy set may drop them. */
  expanded(index: number): void;
  /** The chunks of packed states, when they live in shared memory for worker threads. */
  readonly sharedChunks?: readonly Uint32Array[];
}

export interface StateSetOptions {
  /** Keep packed states in SharedArrayBuffers, for workers to read (parallel search). */
  readonly shared?: boolean;
  /** Hash compaction: fingerprints instead of exact comparison. */
  readonly fingerprints?: boolean;
  /** How an exact set stores its states: packed vectors (default) or tree-compressed. */
  readonly store?: StoreKind;
}

/** The exact stores: `exact` keeps each packed vector, `compact` tree-compresses them (TreeStates). */
export type StoreKind = 'exact' | 'compact';
export const STORE_KINDS: readonly StoreKind[] = ['exact', 'compact'];

export function stateSet(ranges: readonly (readonly [number, number])[], o: StateSetOptions = {}): StateSet {
  if (o.fingerprints && o.shared) throw new Error('hash compaction runs on one thread');
  if (o.store === 'compact') {
    if (o.shared || o.fingerprints) throw new Error('the compact store runs on one thread, without hash compaction');
    return new TreeStates(ranges);
  }
  return o.fingerprints ? new FingerprintStates(ranges) : new ExactStates(ranges, o.shared === true);
}

/** Chunked packed states and the (number + 1, hash) table both kinds of set share. */
abstract class HashedStates implements StateSet {
  readonly packer: Packer;
  readonly chunks: Uint32Array[] = [];
  abstract readonly exact: boolean;
  /** Pairs (index + 1, hash); index + 1 = 0 marks a free entry. */
  private table = new Int32Array(2 << 12);
  private mask = (1 << 12) - 1;
  count = 0;
  readonly capacity = STATE_CAPACITY;

  constructor(ranges: readonly (readonly [number, number])[], private readonly shared: boolean) {
    this.packer = makePacker(ranges);
  }

  get words(): number {
    return this.packer.words;
  }

  get bytes(): number {
    return this.chunks.reduce((n, c) => n + c.byteLength, 0) + this.table.byteLength;
  }

  get missProbability(): number {
    return 0;
  }

  /** Whether stored state `index` is the one packed at `src[at]` (its table hash already matched). */
  protected abstract matches(index: number, src: Uint32Array | Int32Array, at: number, tag: number): boolean;
  /** What `matches` compares besides the hash, computed once per interned state. */
  protected abstract tagOf(src: Uint32Array | Int32Array, at: number): number;
  protected abstract added(index: number, tag: number): void;

  /** The table slot holding the state, or `~slot` of the free slot where it would go. */
  private probe(src: Uint32Array | Int32Array, at: number, hash: number, tag: number): number {
    const table = this.table;
    let slot = hash & this.mask;
    for (;;) {
      const e = table[slot * 2]!;
      if (e === 0) return ~slot;
      if (table[slot * 2 + 1] === hash && this.matches(e - 1, src, at, tag)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Where touched entries are read into, so that the reads are not optimized away. */
  private touched = 0;

  touch(hash: number): void {
    this.touched ^= this.table[(hash & this.mask) * 2]!;
  }

  find(src: Uint32Array | Int32Array, at: number, packedHash: number): number {
    const slot = this.probe(src, at, packedHash | 0, this.tagOf(src, at));
    return slot < 0 ? -1 : this.table[slot * 2]! - 1;
  }

  intern(src: Uint32Array | Int32Array, at: number, packedHash: number): number {
    const words = this.packer.words;
    const hash = packedHash | 0;
    const table = this.table;
    const tag = this.tagOf(src, at);
    const found = this.probe(src, at, hash, tag);
    if (found >= 0) return ~(table[found * 2]! - 1);
    const slot = ~found;
    const index = this.count++;
    const c = index >>> CHUNK_BITS;
    if (c === this.chunks.length) {
      this.chunks.push(new Uint32Array(this.shared ? new SharedArrayBuffer(CHUNK * words * 4) : new ArrayBuffer(CHUNK * words * 4)));
    }
    const chunk = this.chunks[c]!;
    const base = (index & (CHUNK - 1)) * words;
    for (let i = 0; i < words; i++) chunk[base + i] = src[at + i]!;
    table[slot * 2] = index + 1;
    table[slot * 2 + 1] = hash;
    this.added(index, tag);
    // Linear probing with stored hashes stays short up to three quarters full.
    if (this.count * 4 > (this.mask + 1) * 3) this.grow();
    return index;
  }

  private grow(): void {
    const old = this.table;
    const size = (this.mask + 1) * 2;
    const table = new Int32Array(size * 2);
    const mask = size - 1;
    for (let i = 0; i < old.length; i += 2) {
      const e = old[i]!;
      if (e === 0) continue;
      let slot = old[i + 1]! & mask;
      while (table[slot * 2] !== 0) slot = (slot + 1) & mask;
      table[slot * 2] = e;
      table[slot * 2 + 1] = old[i + 1]!;
    }
    this.table = table;
    this.mask = mask;
  }

  load(index: number, out: Int32Array): boolean {
    const chunk = this.chunks[index >>> CHUNK_BITS];
    if (!chunk?.length) return false;
    loadFrom(this.chunks, this.packer, index, out);
    return true;
  }

  keep(_index: number): void {}
  expanded(_index: number): void {}
}

class ExactStates extends HashedStates {
  readonly exact = true;

  constructor(ranges: readonly (readonly [number, number])[], shared: boolean) {
    super(ranges, shared);
  }

  get sharedChunks(): readonly Uint32Array[] {
    return this.chunks;
  }

  protected matches(index: number, src: Uint32Array | Int32Array, at: number): boolean {
    const words = this.packer.words;
    const chunk = this.chunks[index >>> CHUNK_BITS]!;
    const base = (index & (CHUNK - 1)) * words;
    for (let i = 0; i < words; i++) if (chunk[base + i] !== src[at + i]! >>> 0) return false;
    return true;
  }

  protected tagOf(): number {
    return 0;
  }

  protected added(): void {}
}

class FingerprintStates extends HashedStates {
  readonly exact = false;
  /** The second fingerprint half per state. */
  private readonly second = new Column(true);
  /** Chunks below this one have been dropped or are kept (initial states). */
  private dropped = 1;

  constructor(ranges: readonly (readonly [number, number])[]) {
    super(ranges, false);
  }

  override get bytes(): number {
    return super.bytes + this.second.bytes;
  }

  override get missProbability(): number {
    return (this.count * this.count) / 2 ** 65;
  }

  protected matches(index: number, _src: Uint32Array | Int32Array, _at: number, tag: number): boolean {
    return this.second.get(index) === tag;
  }

  protected tagOf(src: Uint32Array | Int32Array, at: number): number {
    return secondHash(src, at, this.packer.words);
  }

  protected added(index: number, tag: number): void {
    this.second.set(index, tag);
  }

  override keep(index: number): void {
    this.dropped = Math.max(this.dropped, chunkOf(Math.max(0, index - 1)) + 1);
  }

  override expanded(index: number): void {
    for (; this.dropped < chunkOf(index); this.dropped++) this.chunks[this.dropped] = new Uint32Array(0);
  }
}

/**
 * Pairs of 32-bit words numbered 0, 1, ... in the order they were added, each stored once:
 * fixed-size chunks of pairs (growth never copies them) and an open-addressing table of
 * number + 1 (4 bytes an entry; probing compares the pair itself).
 */
class PairTable {
  private readonly chunks: Uint32Array[] = [];
  private table = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;
  count = 0;

  get bytes(): number {
    return this.chunks.length * CHUNK * 8 + this.table.byteLength;
  }

  /** The table slot holding pair (a, b), or `~slot` of the free slot where it would go. */
  private probe(a: number, b: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let slot = pairHash(a, b) & mask; ; slot = (slot + 1) & mask) {
      const e = table[slot]!;
      if (e === 0) return ~slot;
      const chunk = this.chunks[(e - 1) >>> CHUNK_BITS]!;
      const base = ((e - 1) & (CHUNK - 1)) * 2;
      if (chunk[base] === a && chunk[base + 1] === b) return slot;
    }
  }

  /** The number of pair (a, b) (unsigned words), or -1 when it is not stored. */
  find(a: number, b: number): number {
    const slot = this.probe(a, b);
    return slot < 0 ? -1 : this.table[slot]! - 1;
  }

  /** The number of pair (a, b), adding it if new; `~number` when it was already there. */
  add(a: number, b: number): number {
    const found = this.probe(a, b);
    if (found >= 0) return ~(this.table[found]! - 1);
    if (this.count >= STATE_CAPACITY) throw new Error(`the compact store holds at most ${STATE_CAPACITY} tree nodes`);
    const index = this.count++;
    const c = index >>> CHUNK_BITS;
    if (c === this.chunks.length) this.chunks.push(new Uint32Array(CHUNK * 2));
    const base = (index & (CHUNK - 1)) * 2;
    this.chunks[c]![base] = a;
    this.chunks[c]![base + 1] = b;
    this.table[~found] = index + 1;
    if (this.count * 4 > (this.mask + 1) * 3) this.grow();
    return index;
  }

  /** Word `half` (0 or 1) of pair `index`. */
  get(index: number, half: number): number {
    return this.chunks[index >>> CHUNK_BITS]![(index & (CHUNK - 1)) * 2 + half]!;
  }

  private grow(): void {
    const size = (this.mask + 1) * 2;
    const table = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < this.count; i++) {
      let slot = pairHash(this.get(i, 0), this.get(i, 1)) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = i + 1;
    }
    this.table = table;
    this.mask = mask;
  }
}

function pairHash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h ^ b, 0xc2b2ae35);
  h ^= h >>> 13;
  h = Math.imul(h, 0x27d4eb2f);
  return h ^ (h >>> 16);
}

/**
 * Tree compression (LTSmin's): the packed vector of W words is split into halves recursively
 * (the left half the larger) down to single words; every inner pair of that tree is interned in
 * one node table shared by all positions, and a state is the pair of its two halves (a word, or
 * a node number), numbered in its own table in the order states are added. States that differ
 * in a few words share most of their tree, so a new state adds its root pair and the inner nodes
 * on the paths to the words that changed. A state is read back by expanding its tree.
 */
class TreeStates implements StateSet {
  readonly packer: Packer;
  readonly exact = true;
  readonly missProbability = 0;
  readonly capacity = STATE_CAPACITY;
  /** The states' root pairs: a state's number is its root pair's number. */
  private readonly roots = new PairTable();
  private readonly nodes = new PairTable();
  /**
   * The inner nodes in post-order (children before parents), as operand pairs: an operand >= 0
   * is that word of the packed state, `~k` the node number computed for inner node k. The last
   * two operands are the root's; a state of one word is the pair (word 0, 0), the 0 read from
   * the extra slot of `node`.
   */
  private readonly plan: Int32Array;
  /** Node numbers of the inner nodes (and a constant 0 past them) while interning or loading. */
  private readonly node: Uint32Array;
  private readonly unpacked: Uint32Array;

  constructor(ranges: readonly (readonly [number, number])[]) {
    this.packer = makePacker(ranges);
    const words = this.packer.words;
    const plan: number[] = [];
    const operand = (lo: number, hi: number): number => {
      if (hi - lo === 1) return lo;
      const mid = lo + Math.ceil((hi - lo) / 2);
      plan.push(operand(lo, mid), operand(mid, hi));
      return ~(plan.length / 2 - 1);
    };
    if (words === 1) plan.push(0, ~0);
    else {
      const mid = Math.ceil(words / 2);
      const left = operand(0, mid);
      plan.push(left, operand(mid, words));
    }
    this.plan = Int32Array.from(plan);
    this.node = new Uint32Array(plan.length / 2);
    this.unpacked = new Uint32Array(words);
  }

  get words(): number {
    return this.packer.words;
  }

  get count(): number {
    return this.roots.count;
  }

  get bytes(): number {
    return this.roots.bytes + this.nodes.bytes;
  }

  /**
   * Interns (or, with `add` false, looks up) the inner nodes of the state packed at `src[at]`
   * into `node`; false when one is not stored (only when looking up).
   */
  private innerNodes(src: Uint32Array | Int32Array, at: number, add: boolean): boolean {
    const plan = this.plan;
    const node = this.node;
    node[node.length - 1] = 0;
    for (let k = 0, end = plan.length - 2; k < end; k += 2) {
      const l = plan[k]!;
      const r = plan[k + 1]!;
      const a = l >= 0 ? src[at + l]! >>> 0 : node[~l]!;
      const b = r >= 0 ? src[at + r]! >>> 0 : node[~r]!;
      const n = add ? this.nodes.add(a, b) : this.nodes.find(a, b);
      if (n === -1 && !add) return false;
      node[k >>> 1] = n < 0 ? ~n : n;
    }
    return true;
  }

  /** Root operand `o` (-1: the left one, -2: the right one) of the state whose inner nodes are in `node`. */
  private rootOperand(src: Uint32Array | Int32Array, at: number, o: number): number {
    const x = this.plan[this.plan.length + o]!;
    return x >= 0 ? src[at + x]! >>> 0 : this.node[~x]!;
  }

  intern(src: Uint32Array | Int32Array, at: number): number {
    this.innerNodes(src, at, true);
    return this.roots.add(this.rootOperand(src, at, -2), this.rootOperand(src, at, -1));
  }

  find(src: Uint32Array | Int32Array, at: number): number {
    if (!this.innerNodes(src, at, false)) return -1;
    return this.roots.find(this.rootOperand(src, at, -2), this.rootOperand(src, at, -1));
  }

  /** Nothing to read ahead: the table slot depends on the tree, not on the packed state's hash. */
  touch(_hash: number): void {}

  load(index: number, out: Int32Array): boolean {
    if (index < 0 || index >= this.count) return false;
    const plan = this.plan;
    const node = this.node;
    const words = this.unpacked;
    // Parents before children: each pair's two words go to its operands.
    for (let k = plan.length - 2; k >= 0; k -= 2) {
      const a = k === plan.length - 2 ? this.roots.get(index, 0) : this.nodes.get(node[k >>> 1]!, 0);
      const b = k === plan.length - 2 ? this.roots.get(index, 1) : this.nodes.get(node[k >>> 1]!, 1);
      const l = plan[k]!;
      const r = plan[k + 1]!;
      if (l >= 0) words[l] = a; else node[~l] = a;
      if (r >= 0) words[r] = b; else node[~r] = b;
    }
    this.packer.unpack(words, 0, out);
    return true;
  }

  keep(_index: number): void {}
  expanded(_index: number): void {}
}

/** A hash of a packed state independent of the packer's (different seed and multipliers). */
function secondHash(src: Uint32Array | Int32Array, at: number, words: number): number {
  let h = 0x27d4eb2f ^ words;
  for (let i = 0; i < words; i++) {
    h = Math.imul(h ^ src[at + i]!, 0x165667b1);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) | 0;
}

/** Unpacks state `index` from chunks of packed states (also used by workers holding the shared chunks). */
export function loadFrom(chunks: readonly Uint32Array[], packer: Packer, index: number, out: Int32Array): void {
  packer.unpack(chunks[index >>> CHUNK_BITS]!, (index & (CHUNK - 1)) * packer.words, out);
}

export function chunkOf(index: number): number {
  return index >>> CHUNK_BITS;
}

/** A growable column of numbers in fixed-size chunks (parent links, actions). */
/**
 * Interns the state packed at `buf[at + head]` (its hash at `buf[at + 1]`, as successor records
 * hold them) while the set holds fewer than `maxStates`: `intern`'s number (`~number` when it was
 * there); once full, only a known state's `~number`, and undefined for a new one (the limit).
 */
export function internUpTo(states: StateSet, buf: Int32Array, at: number, head: number, maxStates: number): number | undefined {
  if (states.count < maxStates) return states.intern(buf, at + head, buf[at + 1]!);
  const known = states.find(buf, at + head, buf[at + 1]!);
  return known < 0 ? undefined : ~known;
}

export class Column {
  private readonly chunks: (Int32Array | Uint16Array)[] = [];
  /** `wide`: 32-bit signed values; otherwise 16-bit unsigned. */
  constructor(private readonly wide: boolean) {}
  get bytes(): number {
    return this.chunks.length * CHUNK * (this.wide ? 4 : 2);
  }
  set(i: number, v: number): void {
    const c = i >>> CHUNK_BITS;
    while (c >= this.chunks.length) this.chunks.push(this.wide ? new Int32Array(CHUNK) : new Uint16Array(CHUNK));
    this.chunks[c]![i & (CHUNK - 1)] = v;
  }
  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)]!;
  }
}
