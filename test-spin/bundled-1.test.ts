// Half 1 of the bundled scenarios and proofs against SPIN (see bundled.ts).
import { bundledHalf } from './bundled.js';

bundledHalf(1);
