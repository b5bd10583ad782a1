// tsc does not copy the grammar; the built CLI reads it next to its compiled parser.
import { copyFileSync, mkdirSync } from 'node:fs';
mkdirSync('dist/src/lang', { recursive: true });
copyFileSync('src/lang/dirtyrace.ohm', 'dist/src/lang/dirtyrace.ohm');
