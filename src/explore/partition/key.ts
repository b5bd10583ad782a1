// Which partition owns a state. The key hashes the packed state with the TLB slots masked out:
// a step that only fills or drops a TLB entry then stays in its own partition (measured on the
// bench workloads: 49-75 % of transitions stay home, against 1/n with the whole state hashed).
// The masks are found by packing probe states, so this file depends only on Packer's contract.
import type { TransitionSystem } from '../../compile/index.js';
import type { Packer } from '../pack.js';

export type PartitionOf = (src: Int32Array | Uint32Array, at: number) => number;

/** Per packed word, the bits of the slots that are not TLB slots. */
export function keyMasks(ts: TransitionSystem, packer: Packer): Uint32Array {
  const masks = new Uint32Array(packer.words);
  const s = new Int32Array(ts.stateSize);
  const base = new Uint32Array(packer.words);
  const probe = new Uint32Array(packer.words);
  ts.slotRange.forEach(([lo], i) => { s[i] = lo; });
  packer.pack(s, base);
  const { tlbBase, versionBase } = ts.layout;
  ts.slotRange.forEach(([lo, hi], slot) => {
    if (slot >= tlbBase && slot < versionBase) return;
    // Every bit of the slot's field flips for one of the values lo + 2^j <= hi.
    for (let v = 1; v <= hi - lo; v *= 2) {
      s[slot] = lo + v;
      packer.pack(s, probe);
      for (let w = 0; w < probe.length; w++) masks[w]! |= probe[w]! ^ base[w]!;
    }
    s[slot] = lo;
  });
  return masks;
}

export function partitionOf(masks: Uint32Array, partitions: number): PartitionOf {
  if (partitions === 1) return () => 0;
  // The key's words and masks in typed arrays, read with an index loop: this runs once per
  // successor, and an iterator over a captured array cost several times the hash itself.
  const words = Int32Array.from([...masks.keys()].filter((w) => masks[w] !== 0));
  const keep = Uint32Array.from(words, (w) => masks[w]!);
  const n = words.length;
  return (src, at) => {
    let h = 0x2545f491;
    for (let i = 0; i < n; i++) {
      h = Math.imul(h ^ (src[at + words[i]!]! & keep[i]!), 0x85ebca6b);
      h ^= h >>> 13;
    }
    h = Math.imul(h, 0xc2b2ae35);
    return ((h ^ (h >>> 16)) >>> 0) % partitions;
  };
}
