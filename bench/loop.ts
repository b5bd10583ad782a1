// The minimal successor-hash-insert loop of bench/loop.c in plain JavaScript (typed arrays, one
// function, no generated code): the same search, states and table, so the two rates differ only
// by language. argv: STATES WORDS ACTIONS; prints one JSON line like loop.c.
export function loop(cap: number, words: number, actions: number): { states: number; transitions: number; seconds: number } {
  const states = new Uint32Array(cap * words);
  const parent = new Uint32Array(cap);
  const action = new Uint16Array(cap);
  let mask = (1 << 12) - 1;
  let table = new Uint32Array((mask + 1) * 2);
  const succ = new Uint32Array(words);
  const mix = () => {
    let h = 0x9e3779b9 | 0;
    for (let w = 0; w < words; w++) { h = Math.imul(h ^ succ[w]!, 0x85ebca6b); h ^= h >>> 15; }
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  const t0 = performance.now();
  const h0 = mix();
  table[(h0 & mask) * 2] = 1;
  table[(h0 & mask) * 2 + 1] = h0;
  let count = 1;
  let transitions = 0;
  for (let cur = 0; cur < count && count < cap; cur++) {
    for (let a = 0; a < actions && count < cap; a++) {
      succ.set(states.subarray(cur * words, cur * words + words));
      const w = a % words;
      const shift = ((a / words | 0) % 8) * 4;
      succ[w] = ((succ[w]! & ~(15 << shift)) | ((((succ[w]! >>> shift) + 1) & 15) << shift)) >>> 0;
      const h = mix();
      let slot = h & mask;
      for (;;) {
        const e = table[slot * 2]!;
        if (e === 0) break;
        if (table[slot * 2 + 1] === h) {
          let same = true;
          for (let i = 0, at = (e - 1) * words; i < words; i++) if (states[at + i] !== succ[i]) { same = false; break; }
          if (same) break;
        }
        slot = (slot + 1) & mask;
      }
      transitions++;
      if (table[slot * 2] !== 0) continue;
      states.set(succ, count * words);
      parent[count] = cur;
      action[count] = a;
      table[slot * 2] = count + 1;
      table[slot * 2 + 1] = h;
      count++;
      if (count * 2 > mask + 1) {
        const nmask = mask * 2 + 1;
        const next = new Uint32Array((nmask + 1) * 2);
        for (let i = 0; i <= mask; i++) {
          if (!table[i * 2]) continue;
          let s = table[i * 2 + 1]! & nmask;
          while (next[s * 2]) s = (s + 1) & nmask;
          next[s * 2] = table[i * 2]!;
          next[s * 2 + 1] = table[i * 2 + 1]!;
        }
        table = next;
        mask = nmask;
      }
    }
  }
  return { states: count, transitions, seconds: (performance.now() - t0) / 1000 };
}

if (process.argv[1]?.endsWith('loop.js')) {
  const [cap, words, actions] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(loop(cap!, words!, actions!)));
}
