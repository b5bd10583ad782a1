// A minimal LSP client for tests: JSON-RPC with Content-Length framing over a child's stdio,
// written here so that the tests do not share the server's protocol library.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

interface Message { id?: number; method?: string; params?: any; result?: any; error?: unknown }

export class Client {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly waiting = new Map<number, (m: Message) => void>();
  private readonly notes: Message[] = [];
  private noteWaiters: (() => void)[] = [];

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const head = this.buffer.indexOf('\r\n\r\n');
        if (head < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, head).toString())![1]);
        if (this.buffer.length < head + 4 + length) return;
        const m = JSON.parse(this.buffer.subarray(head + 4, head + 4 + length).toString()) as Message;
        this.buffer = this.buffer.subarray(head + 4 + length);
        if (m.id !== undefined && m.method === undefined) this.waiting.get(m.id)?.(m);
        else { this.notes.push(m); for (const w of this.noteWaiters.splice(0)) w(); }
      }
    });
  }

  private send(m: Message): void {
    const body = JSON.stringify({ jsonrpc: '2.0', ...m });
    this.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  request(method: string, params: unknown): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (m) => (m.error ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result)));
      this.send({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  /** The next notification `method` that satisfies `pred` (those already received count). */
  async notification(method: string, pred: (params: any) => boolean): Promise<any> {
    for (;;) {
      const i = this.notes.findIndex((m) => m.method === method && pred(m.params));
      if (i >= 0) return this.notes.splice(i, 1)[0]!.params;
      await new Promise<void>((r) => this.noteWaiters.push(r));
    }
  }
}
