// Scalable scenario families for the benchmarks, generated as scenario text.

export interface Workload {
  readonly name: string;
  readonly text: string;
}

const pageNames = (m: number) => Array.from({ length: m }, (_, i) => `P${i}`);

/** N writers each writing every page twice; a cleaner doing K rounds of apply_as_clean over M pages. */
export function writersCleaner(n: number, m: number, k: number): Workload {
  const pages = pageNames(m);
  const decl = pages.map((p, i) => `page ${p} { present: true, write: true, accessed: true, pfn: F${i} }`).join('\n');
  const frames = `frame ${pages.map((_, i) => `F${i}`).join(', ')};`;
  const clean = pages.map((p) => `
    lock(ptl);
    let v${p} = ptep_modify_prot_start(${p});
    if (pte_dirty(v${p})) { bitmap[${p}] = true; }
    ptep_modify_prot_commit(${p}, pte_mkclean(v${p}));
    unlock(ptl);`).join('');
  const flush = `flush(${pages.join(', ')});`;
  const writes = pages.map((p) => `write ${p}; write ${p};`).join(' ');
  const text = `use x86_64;
${decl}
${frames}
spinlock ptl;
bool bitmap[page] = false;
cpu cleaner {
  for r in 1..${k} {${clean}
    ${flush}
  }
}
cpu writer[${n}] { ${writes} }
fault write(p) { lock(ptl); unlock(ptl); }
final recorded: ${pages.map((p, i) => `(F${i}.version == 0 || pte_dirty(ptep_get(${p})) || bitmap[${p}])`).join(' && ')};
`;
  return { name: `writers-cleaner n=${n} m=${m} k=${k}`, text };
}

/** clear_refs by a tracker while N tasks write one page each. */
export function clearRefs(n: number): Workload {
  const pages = pageNames(n);
  const text = `use x86_64;
${pages.map((p, i) => `page ${p} { present: true, write: true, dirty: true, soft_dirty: true, accessed: true, pfn: F${i} }`).join('\n')}
frame ${pages.map((_, i) => `F${i}`).join(', ')};
spinlock ptl;
cpu tracker {
${pages.map((p) => `  lock(ptl);
  let v${p} = ptep_modify_prot_start(${p});
  ptep_modify_prot_commit(${p}, pte_clear_soft_dirty(pte_wrprotect(v${p})));
  unlock(ptl);`).join('\n')}
  flush_all();
}
${pages.map((p, i) => `cpu task${i} { write ${p}; }`).join('\n')}
fault write(p) {
  lock(ptl);
  let e = ptep_get(p);
  if (pte_present(e)) { set_pte(p, pte_mkdirty(pte_mkwrite(e))); }
  unlock(ptl);
}
final tracked: ${pages.map((p, i) => `(F${i}.version == 0 || pte_soft_dirty(ptep_get(${p})))`).join(' && ')};
`;
  return { name: `clear-refs n=${n}`, text };
}

/** Two madvise(MADV_FREE)-style cleaners under a shared mmap_lock and N writers on one page. */
export function twoMadvise(n: number): Workload {
  const text = `use x86_64;
page P { present: true, write: true, dirty: true, accessed: true, pfn: F0 }
frame F0;
rwsem mmap_lock;
spinlock ptl;
int[0..2] pending = 0;
cpu madv[2] {
  down_read(mmap_lock);
  atomic { pending = pending + 1; }
  lock(ptl);
  let e = ptep_get(P);
  set_pte(P, pte_mkclean(pte_mkold(e)));
  unlock(ptl);
  if (pending > 1) { flush_all(); } else { flush(P); }
  atomic { pending = pending - 1; }
  up_read(mmap_lock);
}
cpu writer[${n}] { write P; write P; }
fault write(p) { lock(ptl); unlock(ptl); }
`;
  return { name: `two-madvise n=${n}`, text };
}

/**
 * arm64: N writers on M pages and a cleaner that, per page, clears the PTE under the PTL, records
 * its dirtiness and stores it back clean, then flushes as Linux does (dsb(ishst); tlbi vale1is;
 * dsb(ish)). Run under both memory modes (`--memory`), for the relaxed mode's cost.
 */
export function arm64Cleaner(n: number, m: number): Workload {
  const pages = pageNames(m);
  const text = `use arm64;
use linux;
${pages.map((p, i) => `page ${p} { valid: true, af: true, dbm: true, rdonly: true, pfn: F${i} }`).join('\n')}
frame ${pages.map((_, i) => `F${i}`).join(', ')};
bool bitmap[page] = false;
cpu cleaner {
${pages.map((p) => `  lock(ptl);
  let v${p} = ptep_get_and_clear(${p});
  if (pte_dirty(v${p})) { bitmap[${p}] = true; }
  set_pte(${p}, pte_mkclean(v${p}));
  unlock(ptl);
  arm64_flush_tlb_page(${p});`).join('\n')}
}
cpu writer[${n}] { ${pages.map((p) => `write ${p};`).join(' ')} }
fault write(p) { sigsegv; }
final recorded: ${pages.map((p, i) => `(F${i}.version == 0 || pte_dirty(ptep_get(${p})) || bitmap[${p}])`).join(' && ')};
`;
  return { name: `arm64-cleaner n=${n} m=${m}`, text };
}

/**
 * arm64 message passing with data values: a writer stores the data then the flag with a DMB ST
 * between, N readers load the flag then the data with a DMB LD between (MP+dmb.st+dmb.ld:
 * Forbidden). Under the relaxed mode the stores are pending and the loads may be satisfied
 * early, so this measures read_early and store_commit.
 */
export function arm64Message(n: number): Workload {
  const text = `use arm64_nohafdbs;
frame F0, F1;
data int[0..1];
page D { valid: true, af: true, dbm: true, rdonly: false, pfn: F0 }
page G { valid: true, af: true, dbm: true, rdonly: false, pfn: F1 }
bool stale;
cpu writer { write D = 1; dmb(st); write G = 1; }
cpu reader[${n}] { let f = read G; dmb(ld); let d = read D; if (f == 1 && d == 0) { stale = true; } }
final ordered: !stale;
`;
  return { name: `arm64-message n=${n}`, text };
}

/** The fixed benchmark family, smallest first. */
export const WORKLOADS: readonly Workload[] = [
  writersCleaner(1, 1, 1), writersCleaner(2, 1, 1), writersCleaner(2, 1, 2), writersCleaner(2, 2, 1), writersCleaner(3, 2, 1),
  clearRefs(2), clearRefs(3), clearRefs(4),
  twoMadvise(1), twoMadvise(2), twoMadvise(3),
  arm64Cleaner(2, 1), arm64Cleaner(3, 1), arm64Cleaner(2, 2),
  arm64Message(2), arm64Message(3),
];
