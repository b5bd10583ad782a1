/* The minimal successor-hash-insert loop dirtyrace's search is measured against (bench/loop.ts is
 * the same loop in plain JavaScript): a breadth-first search over states of WORDS 32-bit words,
 * ACTIONS successors each, until STATES states are stored. Action a adds 1 to a 4-bit field of
 * word a % WORDS (wrapping), so actions commute as interleaved CPU steps do and most successors
 * are found again. Each successor is copied, changed, hashed (the mix dirtyrace's pack.ts uses)
 * and looked up in an open-addressing table of (number + 1, hash) pairs that grows at half full
 * without re-reading states; a new one is appended with its parent and action, as dirtyrace
 * stores them. Prints one JSON line: states, transitions, seconds (the search alone).
 * Build: gcc -O2 -o loop loop.c; run: ./loop STATES WORDS ACTIONS */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t mix(const uint32_t *s, int words) {
  uint32_t h = 0x9e3779b9u;
  for (int w = 0; w < words; w++) { h = (h ^ s[w]) * 0x85ebca6bu; h ^= h >> 15; }
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: loop STATES WORDS ACTIONS\n"); return 2; }
  const uint64_t cap = strtoull(argv[1], 0, 10);
  const int words = atoi(argv[2]), actions = atoi(argv[3]);
  uint32_t *states = malloc(cap * words * 4), *parent = malloc(cap * 4);
  uint16_t *action = malloc(cap * 2);
  uint64_t mask = (1 << 12) - 1;
  uint32_t *table = calloc((mask + 1) * 2, 4);
  uint32_t succ[64];
  if (!states || !parent || !action || !table || words > 64) return 1;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  uint64_t count = 0, transitions = 0;
  memset(states, 0, words * 4);
  table[(mix(states, words) & mask) * 2] = 1;
  table[(mix(states, words) & mask) * 2 + 1] = mix(states, words);
  count = 1;
  for (uint64_t cur = 0; cur < count && count < cap; cur++) {
    for (int a = 0; a < actions && count < cap; a++) {
      memcpy(succ, states + cur * words, words * 4);
      const int w = a % words, shift = ((a / words) % 8) * 4;
      succ[w] = (succ[w] & ~(15u << shift)) | (((succ[w] >> shift) + 1) & 15u) << shift;
      const uint32_t h = mix(succ, words);
      uint64_t slot = h & mask;
      for (;;) {
        const uint32_t e = table[slot * 2];
        if (e == 0) break;
        if (table[slot * 2 + 1] == h && memcmp(states + (uint64_t)(e - 1) * words, succ, words * 4) == 0) break;
        slot = (slot + 1) & mask;
      }
      transitions++;
      if (table[slot * 2] != 0) continue;
      memcpy(states + count * words, succ, words * 4);
      parent[count] = cur;
      action[count] = a;
      table[slot * 2] = count + 1;
      table[slot * 2 + 1] = h;
      count++;
      if (count * 2 > mask + 1) {
        const uint64_t nmask = mask * 2 + 1;
        uint32_t *next = calloc((nmask + 1) * 2, 4);
        if (!next) return 1;
        for (uint64_t i = 0; i <= mask; i++) {
          if (!table[i * 2]) continue;
          uint64_t s = table[i * 2 + 1] & nmask;
          while (next[s * 2]) s = (s + 1) & nmask;
          next[s * 2] = table[i * 2];
          next[s * 2 + 1] = table[i * 2 + 1];
        }
        free(table);
        table = next;
        mask = nmask;
      }
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("{\"states\": %llu, \"transitions\": %llu, \"seconds\": %.6f, \"check\": %u}\n", (unsigned long long)count,
         (unsigned long long)transitions, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, parent[count - 1] ^ action[count - 1]);
  return 0;
}
