// npm run bench: states/s, time and memory on fixed workloads.
import { checkSource } from '../src/check/index.js';
import { compile } from '../src/compile/index.js';
import { explore } from '../src/explore/bfs.js';
import { clearRefs, twoMadvise, writersCleaner, type Workload } from './workloads.js';

const workloads: Workload[] = [
  writersCleaner(1, 1, 1), writersCleaner(2, 1, 1), writersCleaner(2, 2, 1), writersCleaner(3, 2, 1),
  clearRefs(2), clearRefs(3), twoMadvise(1), twoMadvise(2),
];
const only = process.argv[2];
console.log(['workload', 'states', 'transitions', 'time s', 'states/s', 'peak RSS MB'].join('\t'));
for (const w of workloads) {
  if (only && !w.name.includes(only)) continue;
  const model = checkSource({ path: `${w.name}.race`, text: w.text });
  const t0 = performance.now();
  const ts = compile(model);
  const r = explore(ts);
  const secs = (performance.now() - t0) / 1000;
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log([w.name, r.states, r.transitions, secs.toFixed(2), Math.round(r.states / secs), rss.toFixed(0)].join('\t'));
}
