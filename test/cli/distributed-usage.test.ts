// The command line of the distributed search (`check --distributed`, `worker`): misuse is a usage
// error (exit 2) that says what to write; no NATS server is needed for these.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const run = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });
const FILE = 'scenarios/tutorial/peterson.race';

describe('check --distributed', () => {
  it.each([
    [['--distributed', 'http://h:1', '--partitions', '2'], /--distributed takes a NATS server as nats:\/\/host:port, found 'http:\/\/h:1'/],
    [['--distributed', 'nats://127.0.0.1:1'], /--distributed needs --partitions N/],
    [['--partitions', '2'], /--partitions and --run go with --distributed URL/],
    [['--distributed', 'nats://127.0.0.1:1', '--partitions', '0'], /--partitions takes a whole number from 1 to 1024, found '0'/],
    [['--distributed', 'nats://127.0.0.1:1', '--partitions', '2', '--threads', '2'], /leave out --threads/],
    [['--distributed', 'nats://127.0.0.1:1', '--partitions', '2', '--run', 'a.b'], /--run is a name of letters, digits/],
  ])('%j', (args, message) => {
    const r = run(['check', ...args, FILE]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('worker', () => {
  it('needs the server, the partition count and its partition', () => {
    expect(run(['worker']).stderr).toMatch(/worker needs --distributed nats:\/\/HOST:PORT/);
    const r = run(['worker', '--distributed', 'nats://127.0.0.1:1', '--partitions', '2', '--partition', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--partition takes this worker's partition, 0 to 1, found '2'/);
  });

  it('no NATS server at the address: exit 2, said so', () => {
    const r = run(['worker', '--distributed', 'nats://127.0.0.1:1', '--partitions', '1', '--partition', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot serve partition 0 on nats:\/\/127\.0\.0\.1:1/);
  });

  it('--help describes the role', () => {
    const r = run(['worker', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Serves partition I \(0 to N-1\)/);
  });
});
