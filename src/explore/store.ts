// Exact state storage: fixed-width states in one growable arena, indexed by an open-addressing
// hash table with full comparison (no state is ever mistaken for another).

export class StateStore {
  private arena: Int32Array;
  private table: Int32Array;
  private mask: number;
  count = 0;

  constructor(readonly width: number, initialCapacity = 1 << 12) {
    this.arena = new Int32Array(Math.max(1, width) * initialCapacity);
    this.table = new Int32Array(initialCapacity * 2);
    this.mask = this.table.length - 1;
  }

  /** Bytes held by the arena and the table. */
  get bytes(): number {
    return this.arena.byteLength + this.table.byteLength;
  }

  private hash(s: Int32Array): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < this.width; i++) {
      h = Math.imul(h ^ s[i]!, 0x01000193);
      h ^= h >>> 15;
    }
    return h >>> 0;
  }

  equalsAt(index: number, s: Int32Array): boolean {
    const base = index * this.width;
    for (let i = 0; i < this.width; i++) if (this.arena[base + i] !== s[i]) return false;
    return true;
  }

  /** The index of `s` (its first `width` slots), adding it if new; `added` tells which. */
  intern(s: Int32Array): { index: number; added: boolean } {
    let slot = this.hash(s) & this.mask;
    for (;;) {
      const e = this.table[slot]!;
      if (e === 0) break;
      if (this.equalsAt(e - 1, s)) return { index: e - 1, added: false };
      slot = (slot + 1) & this.mask;
    }
    const index = this.count++;
    if ((index + 1) * this.width > this.arena.length) {
      const grown = new Int32Array(this.arena.length * 2);
      grown.set(this.arena);
      this.arena = grown;
    }
    this.arena.set(s.subarray(0, this.width), index * this.width);
    this.table[slot] = index + 1;
    if (this.count * 2 > this.table.length) this.rehash();
    return { index, added: true };
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let i = 0; i < this.count; i++) {
      let slot = this.hash(this.arena.subarray(i * this.width, (i + 1) * this.width)) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = i + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  /** Copies state `index` into `out` (which may be longer than a state). */
  load(index: number, out: Int32Array): void {
    out.set(this.arena.subarray(index * this.width, (index + 1) * this.width));
  }

  get(index: number): Int32Array {
    return this.arena.slice(index * this.width, (index + 1) * this.width);
  }
}
