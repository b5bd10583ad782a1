// Every bundled scenario and proof agrees with SPIN: under its own architecture, and under every
// other architecture model that accepts it (more hardware rules for the export to get right).
// Split in two halves (every other file), bundled-0.test.ts and bundled-1.test.ts, so the suite's
// two workers share the gcc compiles.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelOfFile } from '../src/check/index.js';
import { Diagnostic } from '../src/lang/source.js';
import { crosscheckModel, formatCrosscheck } from '../src/cli/crosscheck.js';
import { spinAvailable } from '../src/export/spin.js';
import { exportRefusal } from '../src/export/promela.js';

const ROOT = join(import.meta.dirname, '..');
const files = (dir: string): string[] => readdirSync(dir).sort().flatMap((n) => {
  const p = join(dir, n);
  return statSync(p).isDirectory() ? files(p) : n.endsWith('.race') ? [p] : [];
});
const RACES = [...files(join(ROOT, 'scenarios')), ...files(join(ROOT, 'proofs'))];
const ARCHS = readdirSync(join(ROOT, 'models')).filter((f) => f.endsWith('.arch')).map((f) => f.slice(0, -5)).sort();

export function bundledHalf(half: 0 | 1): void {
  describe.runIf(spinAvailable())(`bundled scenarios agree with SPIN (half ${half})`, () => {
    for (const file of RACES.filter((_, i) => i % 2 === half)) {
      const name = file.slice(ROOT.length + 1);
      it(name, () => {
        const out: string[] = [];
        for (const arch of [undefined, ...ARCHS]) {
          let model;
          try {
            // The export is sequentially consistent: arm64 is compared under --memory sc.
            model = modelOfFile(file, { arch, memory: 'sc' });
          } catch (e) {
            if (arch !== undefined && e instanceof Diagnostic) continue; // written for another PTE layout
            throw e;
          }
          // A scenario with arm64 barriers, TLBIs or data values cannot be exported: the refusal
          // must name the construct (docs/LANGUAGE.md), and there is nothing for SPIN to check.
          const refused = exportRefusal(model);
          if (refused) { expect(refused.message).toMatch(/^the Promela export does not support /); continue; }
          const x = crosscheckModel(model, { opt: '-O0', keep: true })!;
          try {
            if (!x.agree) out.push(`${name} [${arch ?? 'own arch'}]\n${formatCrosscheck(x, true)}`);
          } finally {
            rmSync(x.spin.dir, { recursive: true, force: true });
          }
        }
        expect(out, out.join('\n\n')).toEqual([]);
      });
    }
  });
}
