// Half 1 of the generated scenarios (see generated.ts).
import { describe, it } from 'vitest';
import { RUNS, SEED, runHalf } from './generated.js';
import { spinAvailable } from '../src/export/spin.js';

describe.runIf(spinAvailable())('generated scenarios agree with SPIN', () => {
  it(`half 1 of ${RUNS} scenarios, seed ${SEED}`, () => { runHalf(1); });
});
