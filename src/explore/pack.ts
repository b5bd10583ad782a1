// Bit-packing of states: every slot takes exactly the bits its value range needs (a slot whose
// range is one value takes none), no slot straddles a 32-bit word, and the pack, unpack and hash
// functions are generated straight-line code for the layout at hand.

export interface Packer {
  /** 32-bit words per packed state. */
  readonly words: number;
  /** Packs `s` into `key` (length `words`) and returns its hash. */
  readonly pack: (s: Int32Array, key: Uint32Array) => number;
  /** Unpacks the state stored at `src[base .. base + words)` into `out`. */
  readonly unpack: (src: Uint32Array, base: number, out: Int32Array) => void;
}

interface Place {
  readonly slot: number;
  readonly word: number;
  readonly shift: number;
  readonly bits: number;
  readonly lo: number;
}

export function bitsFor(lo: number, hi: number): number {
  return hi <= lo ? 0 : 32 - Math.clz32(hi - lo);
}

function placesFor(ranges: readonly (readonly [number, number])[]): { places: Place[]; words: number; constants: [number, number][] } {
  const places: Place[] = [];
  const constants: [number, number][] = [];
  let word = 0;
  let used = 0;
  ranges.forEach(([lo, hi], slot) => {
    const bits = bitsFor(lo, hi);
    if (bits === 0) { constants.push([slot, lo]); return; }
    if (used + bits > 32) { word++; used = 0; }
    places.push({ slot, word, shift: used, bits, lo });
    used += bits;
  });
  return { places, words: Math.max(1, word + (used > 0 ? 1 : 0)), constants };
}

function mixWords(words: number, read: (w: number) => string): string {
  const lines = ['let h = 0x9e3779b9 | 0;'];
  for (let w = 0; w < words; w++) lines.push(`h = Math.imul(h ^ ${read(w)}, 0x85ebca6b); h ^= h >>> 15;`);
  lines.push('h = Math.imul(h, 0xc2b2ae35); return (h ^ (h >>> 16)) >>> 0;');
  return lines.join('\n');
}

export function makePacker(ranges: readonly (readonly [number, number])[]): Packer {
  const { places, words, constants } = placesFor(ranges);
  const byWord = Array.from({ length: words }, (_, w) => places.filter((p) => p.word === w));
  const value = (p: Place) => (p.lo === 0 ? `s[${p.slot}]` : `(s[${p.slot}] - ${p.lo})`);
  const packBody = byWord.map((ps, w) =>
    `key[${w}] = ${ps.map((p) => (p.shift ? `(${value(p)} << ${p.shift})` : value(p))).join(' | ') || '0'};`).join('\n');
  const pack = new Function('s', 'key', `${packBody}\n${mixWords(words, (w) => `key[${w}]`)}`) as Packer['pack'];
  const unpackBody = [
    ...byWord.flatMap((ps, w) => ps.length ? [`const w${w} = src[base + ${w}];`] : []),
    ...places.map((p) => {
      const field = p.bits === 32 ? `(w${p.word} | 0)` : `((w${p.word} >>> ${p.shift}) & ${2 ** p.bits - 1})`;
      return `out[${p.slot}] = ${p.lo === 0 ? field : `${field} + ${p.lo}`};`;
    }),
    ...constants.map(([slot, v]) => `out[${slot}] = ${v};`),
  ].join('\n');
  const unpack = new Function('src', 'base', 'out', unpackBody) as Packer['unpack'];
  return { words, pack, unpack };
}
