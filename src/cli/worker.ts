// `dirtyrace worker --distributed URL --partitions N --partition I [--run NAME]`: one partition
// process of a distributed search (explore/distributed/partition-process.ts). It serves every
// search of one `dirtyrace check --distributed` run and exits when that run ends.
import { parseArgs } from 'node:util';
import { servePartition } from '../explore/distributed/partition-process.js';
import { EXIT } from '../run/exit.js';
import { distributedOf, MAX_PARTITIONS } from './check.js';
import type { Io } from './usage.js';

export const WORKER_USAGE = `usage: dirtyrace worker --distributed nats://HOST:PORT --partitions N --partition I [--run NAME]

Serves partition I (0 to N-1) of the distributed searches of one run: start one worker per
partition, on this machine or others, then dirtyrace check --distributed nats://HOST:PORT
--partitions N [--run NAME] FILE... on any machine that reaches the same NATS server. A worker
needs the same dirtyrace version and the scenario's model files (models it names from outside
the package must be at the same paths). It exits when the run ends (0), or when the search
thread or the coordinator stops (1). Exit status 2: bad arguments, or no NATS server at URL.`;

export async function runWorker(argv: readonly string[], io: Io): Promise<number> {
  let url: string; let partitions: number; let run: string; let self: number;
  try {
    const { values } = parseArgs({ args: [...argv], strict: true, options: {
      distributed: { type: 'string' }, partitions: { type: 'string' }, partition: { type: 'string' }, run: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    } });
    if (values.help) { io.stdout(`${WORKER_USAGE}\n`); return EXIT.ok; }
    if (values.distributed === undefined) throw new Error('worker needs --distributed nats://HOST:PORT');
    ({ url, partitions, run } = distributedOf(values)!);
    const i = values.partition;
    if (i === undefined || !/^[0-9]+$/.test(i) || Number(i) >= partitions || Number(i) >= MAX_PARTITIONS) {
      throw new Error(`--partition takes this worker's partition, 0 to ${partitions - 1}, found '${i ?? ''}'`);
    }
    self = Number(i);
  } catch (e) {
    io.stderr(`dirtyrace: ${(e as Error).message}\n\n${WORKER_USAGE}\n`);
    return EXIT.badInput;
  }
  try {
    return await servePartition({ url, run, self, count: partitions, log: (line) => io.stderr(`dirtyrace worker: ${line}\n`) });
  } catch (e) {
    io.stderr(`dirtyrace worker: cannot serve partition ${self} on ${url}: ${(e as Error).message}\n`);
    return EXIT.badInput;
  }
}
