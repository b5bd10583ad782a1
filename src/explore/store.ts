// Exact state storage. States are packed into the narrowest element type that holds every slot
// (bytes for nearly every model), padded to whole 32-bit words, kept in fixed-size chunks (growth
// never copies the states stored so far), and indexed by an open-addressing hash table compared
// word by word: no state is ever mistaken for another.

const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;

type Elems = Uint8Array | Int16Array | Int32Array;

function elementType(ranges: readonly (readonly [number, number])[]): { bytes: 1 | 2 | 4; make: (b: ArrayBuffer, o: number, n: number) => Elems } {
  const lo = Math.min(0, ...ranges.map((r) => r[0]));
  const hi = Math.max(0, ...ranges.map((r) => r[1]));
  if (lo >= 0 && hi <= 255) return { bytes: 1, make: (b, o, n) => new Uint8Array(b, o, n) };
  if (lo >= -32768 && hi <= 32767) return { bytes: 2, make: (b, o, n) => new Int16Array(b, o, n) };
  return { bytes: 4, make: (b, o, n) => new Int32Array(b, o, n) };
}

export class StateStore {
  /** Slots per state. */
  readonly width: number;
  /** 32-bit words per packed state. */
  readonly words: number;
  readonly bytesPerSlot: 1 | 2 | 4;
  private readonly make: (b: ArrayBuffer, o: number, n: number) => Elems;
  private readonly chunkWords: Uint32Array[] = [];
  private readonly chunkElems: Elems[] = [];
  private readonly key: Elems;
  private readonly keyWords: Uint32Array;
  private table: Int32Array;
  private mask: number;
  count = 0;

  constructor(ranges: readonly (readonly [number, number])[]) {
    this.width = ranges.length;
    const t = elementType(ranges);
    this.bytesPerSlot = t.bytes;
    this.make = t.make;
    this.words = Math.max(1, Math.ceil((this.width * t.bytes) / 4));
    const keyBuf = new ArrayBuffer(this.words * 4);
    this.key = t.make(keyBuf, 0, this.width);
    this.keyWords = new Uint32Array(keyBuf);
    this.table = new Int32Array(1 << 12);
    this.mask = this.table.length - 1;
  }

  /** Bytes held by the states and the table. */
  get bytes(): number {
    return this.chunkWords.length * CHUNK * this.words * 4 + this.table.byteLength;
  }

  private hashKey(): number {
    const k = this.keyWords;
    let h = 0x9e3779b9 ^ this.words;
    for (let i = 0; i < k.length; i++) {
      h = Math.imul(h ^ k[i]!, 0x85ebca6b);
      h ^= h >>> 13;
    }
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  private keyEquals(index: number): boolean {
    const chunk = this.chunkWords[index >>> CHUNK_BITS]!;
    const base = (index & (CHUNK - 1)) * this.words;
    const k = this.keyWords;
    for (let i = 0; i < k.length; i++) if (chunk[base + i] !== k[i]) return false;
    return true;
  }

  /** The index of state `s`, adding it if new: `~index` (negative) when it was already stored. */
  intern(s: Int32Array): number {
    this.key.set(s);
    let slot = this.hashKey() & this.mask;
    for (;;) {
      const e = this.table[slot]!;
      if (e === 0) break;
      if (this.keyEquals(e - 1)) return ~(e - 1);
      slot = (slot + 1) & this.mask;
    }
    const index = this.count++;
    const c = index >>> CHUNK_BITS;
    if (c === this.chunkWords.length) {
      const buf = new ArrayBuffer(CHUNK * this.words * 4);
      this.chunkWords.push(new Uint32Array(buf));
      this.chunkElems.push(this.make(buf, 0, (CHUNK * this.words * 4) / this.bytesPerSlot));
    }
    this.chunkWords[c]!.set(this.keyWords, (index & (CHUNK - 1)) * this.words);
    this.table[slot] = index + 1;
    if (this.count * 2 > this.table.length) this.rehash();
    return index;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let i = 0; i < this.count; i++) {
      this.loadKey(i);
      let slot = this.hashKey() & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = i + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  private loadKey(index: number): void {
    const chunk = this.chunkWords[index >>> CHUNK_BITS]!;
    const base = (index & (CHUNK - 1)) * this.words;
    for (let i = 0; i < this.words; i++) this.keyWords[i] = chunk[base + i]!;
  }

  /** Unpacks state `index` into `out`. */
  load(index: number, out: Int32Array): void {
    const elems = this.chunkElems[index >>> CHUNK_BITS]!;
    const base = ((index & (CHUNK - 1)) * this.words * 4) / this.bytesPerSlot;
    for (let i = 0; i < this.width; i++) out[i] = elems[base + i]!;
  }

  get(index: number): Int32Array {
    const out = new Int32Array(this.width);
    this.load(index, out);
    return out;
  }
}

/** A growable Int32 column in fixed-size chunks (parent links, actions). */
export class ChunkedInt32 {
  private readonly chunks: Int32Array[] = [];
  get bytes(): number {
    return this.chunks.length * CHUNK * 4;
  }
  set(i: number, v: number): void {
    const c = i >>> CHUNK_BITS;
    while (c >= this.chunks.length) this.chunks.push(new Int32Array(CHUNK));
    this.chunks[c]![i & (CHUNK - 1)] = v;
  }
  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)]!;
  }
}
