// State storage. States are bit-packed (pack.ts), kept in fixed-size chunks so growth never
// copies the states stored so far, and indexed by an open-addressing hash table whose entries
// carry the full hash: probing compares hashes before words, and growing the table never
// re-reads a state. By default storage is exact: no state is ever mistaken for another.
// Opt-in hash compaction instead tells states apart by a 64-bit fingerprint (the table hash and
// a second, independent one) and drops each packed state once it has been expanded; two states
// with equal fingerprints are then taken as one, with the probability `missProbability` bounds.
import { makePacker, type Packer } from './pack.js';

const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;

export class StateStore {
  /** Slots per state. */
  readonly width: number;
  readonly packer: Packer;
  /** Packed states; SharedArrayBuffer-backed when workers read them (parallel search). */
  readonly chunks: Uint32Array[] = [];
  private readonly key: Uint32Array;
  /** Pairs (index + 1, hash); index + 1 = 0 marks a free entry. */
  private table: Int32Array;
  private mask: number;
  /** Hash compaction: the second fingerprint half per state. */
  private readonly second?: Column;
  /** Hash compaction: chunks below this one have been dropped or are kept (initial states). */
  private dropped = 1;
  count = 0;

  constructor(ranges: readonly (readonly [number, number])[], private readonly shared = false, readonly compact = false) {
    this.width = ranges.length;
    this.packer = makePacker(ranges);
    this.key = new Uint32Array(this.packer.words);
    this.table = new Int32Array(2 << 12);
    this.mask = (1 << 12) - 1;
    if (compact) this.second = new Column(true);
  }

  /** Hash compaction: an upper bound on the probability that some state was missed. */
  get missProbability(): number {
    return this.compact ? (this.count * this.count) / 2 ** 65 : 0;
  }

  /** Keeps the packed states below `index` for good (the initial states: traces start there). */
  keep(index: number): void {
    this.dropped = Math.max(this.dropped, chunkOf(Math.max(0, index - 1)) + 1);
  }

  /** Hash compaction: packed states below `index` are no longer needed (already expanded). */
  release(index: number): void {
    if (!this.compact) return;
    for (; this.dropped < chunkOf(index); this.dropped++) this.chunks[this.dropped] = new Uint32Array(0);
  }

  /** 32-bit words per stored state. */
  get words(): number {
    return this.packer.words;
  }

  /** Bytes held by the states and the table. */
  get bytes(): number {
    const held = this.chunks.reduce((n, c) => n + c.byteLength, 0);
    return held + this.table.byteLength + (this.second?.bytes ?? 0);
  }

  /** The index of state `s`, adding it if new; `~index` (negative) when it was already stored. */
  intern(s: Int32Array): number {
    return this.internPacked(this.key, 0, this.packer.pack(s, this.key));
  }

  /** As `intern`, for a state already packed by this store's packer: `words` values at `src[at]`, and its hash. */
  internPacked(src: Uint32Array | Int32Array, at: number, packedHash: number): number {
    const words = this.packer.words;
    const hash = packedHash | 0;
    const table = this.table;
    const second = this.second ? secondHash(src, at, words) : 0;
    let slot = hash & this.mask;
    for (;;) {
      const e = table[slot * 2]!;
      if (e === 0) break;
      if (table[slot * 2 + 1] === hash) {
        if (this.second) {
          if (this.second.get(e - 1) === second) return ~(e - 1);
          slot = (slot + 1) & this.mask;
          continue;
        }
        const chunk = this.chunks[(e - 1) >>> CHUNK_BITS]!;
        const base = ((e - 1) & (CHUNK - 1)) * words;
        let same = true;
        for (let i = 0; i < words; i++) if (chunk[base + i] !== src[at + i]! >>> 0) { same = false; break; }
        if (same) return ~(e - 1);
      }
      slot = (slot + 1) & this.mask;
    }
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
    this.second?.set(index, second);
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

  /** Unpacks state `index` into `out`. */
  load(index: number, out: Int32Array): void {
    loadFrom(this.chunks, this.packer, index, out);
  }

  get(index: number): Int32Array {
    const out = new Int32Array(this.width);
    this.load(index, out);
    return out;
  }
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

/** Unpacks state `index` from store chunks (also used by workers holding the shared chunks). */
export function loadFrom(chunks: readonly Uint32Array[], packer: Packer, index: number, out: Int32Array): void {
  packer.unpack(chunks[index >>> CHUNK_BITS]!, (index & (CHUNK - 1)) * packer.words, out);
}

export function chunkOf(index: number): number {
  return index >>> CHUNK_BITS;
}

/** A growable column of numbers in fixed-size chunks (parent links, actions). */
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
