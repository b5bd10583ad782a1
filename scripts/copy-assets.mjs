// tsc does not copy the grammar; the built CLI reads it next to its compiled parser. Next to it
// go the parsing work saved for runs (src/lang/saved.ts): the grammar's ohm recipe, then, parsed
// by the parser just built, the syntax tree of every bundled model file.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ohm from 'ohm-js';

const lang = 'dist/src/lang';
mkdirSync(lang, { recursive: true });
copyFileSync('src/lang/dirtyrace.ohm', join(lang, 'dirtyrace.ohm'));
const { RECIPE_FILE, TREES_DIR, encodeTree } = await import(`../${lang}/saved.js`);
const grammar = readFileSync('src/lang/dirtyrace.ohm', 'utf8');
writeFileSync(join(lang, RECIPE_FILE), JSON.stringify({ grammar, recipe: ohm.grammar(grammar).toRecipe() }));
const { parseText, trees: store } = await import(`../${lang}/parse.js`);
const trees = join(lang, TREES_DIR);
rmSync(trees, { recursive: true, force: true });
mkdirSync(trees);
for (const name of readdirSync('models').filter((f) => /\.(arch|lib)$/.test(f))) {
  const file = { path: join('models', name), text: readFileSync(join('models', name), 'utf8') };
  writeFileSync(join(trees, store.nameOf(file)), encodeTree(parseText(file)));
}
