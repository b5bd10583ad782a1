// A one-page scenario for the library's fault paths: page P, frames FZ (the zero page), F0, F1
// (the folio a fault allocates), one CPU running `body`, both fault handlers calling `entry`
// (handle_mm_fault by itself, or do_user_addr_fault with the mmap_lock).
export function faultScenario(arch: string, page: string, body: string, extra: string, finals: string,
  entry: 'handle_mm_fault' | 'do_user_addr_fault' = 'handle_mm_fault'): string {
  return `use ${arch};
use linux;
page P = ${page};
frame FZ, F0, F1;
ghost frame zero_folio = FZ;
ghost frame fault_folio[page] = F1;
${extra}
cpu c { ${body} }
fault read(p) { ${entry}(p, false); }
fault write(p) { ${entry}(p, true); }
${finals}
`;
}
