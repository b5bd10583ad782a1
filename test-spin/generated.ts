// Generated scenarios cross-checked against SPIN, in two halves (one per test file, so the two
// vitest workers each run one). Reproduce: SPIN_SEED=<seed> SPIN_RUNS=<n> npm run test:spin
// (the failing case's index is printed too; SPIN_ONLY=<index> runs just that one).
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { modelOf } from '../src/check/index.js';
import { crosscheckModel, formatCrosscheck } from '../src/cli/crosscheck.js';
import { scenarioArb } from '../test/gen/scenario.js';

export const SEED = process.env.SPIN_SEED ? Number(process.env.SPIN_SEED) : Date.now() % 1_000_000;
export const RUNS = process.env.SPIN_RUNS ? Number(process.env.SPIN_RUNS) : 300;
const ROOT = join(import.meta.dirname, '..');
/** Larger state spaces only slow the suite down; they are skipped (and counted). */
const MAX_STATES = 200_000;

export interface HalfStats { runs: number; agreed: number; beyond: number; skipped: number; ms: number; gccMs: number }

export function runHalf(half: 0 | 1): HalfStats {
  // A few more samples than needed: scenarios above MAX_STATES are skipped, and each half stops
  // once it has cross-checked its share, so every run checks at least RUNS scenarios.
  const samples = fc.sample(scenarioArb, { seed: SEED, numRuns: Math.ceil(RUNS * 1.2) + 4 });
  const share = Math.ceil(RUNS / 2);
  const only = process.env.SPIN_ONLY !== undefined ? Number(process.env.SPIN_ONLY) : undefined;
  const stats: HalfStats = { runs: 0, agreed: 0, beyond: 0, skipped: 0, ms: 0, gccMs: 0 };
  const t0 = Date.now();
  const failures: string[] = [];
  samples.forEach((s, k) => {
    if (only !== undefined ? k !== only : k % 2 !== half || stats.runs - stats.skipped >= share) return;
    const model = modelOf({ path: `gen-${SEED}-${k}.race`, text: s.text }, { modelDirs: [join(ROOT, 'models')] });
    stats.runs++;
    const x = crosscheckModel(model, { opt: '-O0', keep: true, maxStates: MAX_STATES });
    try {
      if (!x) { stats.skipped++; return; }
      stats.gccMs += x.spin.ms.gcc;
      if (x.properties.some((p) => p.status === 'beyond-spin')) stats.beyond++;
      if (x.agree) { stats.agreed++; return; }
      const file = join(tmpdir(), `dirtyrace-spin-disagree-${SEED}-${k}.race`);
      writeFileSync(file, s.text);
      failures.push(`seed ${SEED}, case ${k} (saved as ${file}):\n${s.text}\n${formatCrosscheck(x, true)}`);
    } finally {
      if (x) rmSync(x.spin.dir, { recursive: true, force: true });
    }
  });
  stats.ms = Date.now() - t0;
  if (only === undefined) expect(stats.runs - stats.skipped).toBeGreaterThanOrEqual(share);
  console.log(`SPIN generated half ${half}: seed ${SEED}, ${JSON.stringify(stats)}`);
  expect(failures, failures.join('\n\n')).toEqual([]);
  return stats;
}
