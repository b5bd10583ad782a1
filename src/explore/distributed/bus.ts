// The message bus of a distributed search: NATS subjects under `dirtyrace.RUN.`, each message a
// v8-serialized value sent as frames of at most FRAME bytes (NATS servers take 1 MiB by default).
// A frame is [sender i32, part u32, parts u32, bytes...]; NATS keeps the order of one connection's
// messages on one subject, so a sender's frames arrive in order and are joined per sender.
import { deserialize, serialize } from 'node:v8';
import { connect, type NatsConnection } from '@nats-io/transport-node';

const FRAME = 512 * 1024;
const HEAD = 12;

export class Bus {
  private constructor(private readonly nc: NatsConnection, private readonly prefix: string) {}

  static async open(url: string, run: string): Promise<Bus> {
    const nc = await connect({ servers: url, name: `dirtyrace ${run}`, maxReconnectAttempts: 0 });
    return new Bus(nc, `dirtyrace.${run}.`);
  }

  send(subject: string, from: number, message: unknown): void {
    const body = serialize(message);
    const parts = Math.max(1, Math.ceil(body.length / FRAME));
    for (let i = 0; i < parts; i++) {
      const part = body.subarray(i * FRAME, (i + 1) * FRAME);
      const frame = new Uint8Array(HEAD + part.length);
      const v = new DataView(frame.buffer);
      v.setInt32(0, from);
      v.setUint32(4, i);
      v.setUint32(8, parts);
      frame.set(part, HEAD);
      this.nc.publish(this.prefix + subject, frame);
    }
  }

  /** Calls `handler` with each whole message sent on `subject`, in each sender's order. */
  async on(subject: string, handler: (from: number, message: any) => void): Promise<void> {
    const partial = new Map<number, Buffer[]>();
    this.nc.subscribe(this.prefix + subject, {
      callback: (err, m) => {
        if (err) return;
        const d = m.data;
        const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
        const [from, part, parts] = [v.getInt32(0), v.getUint32(4), v.getUint32(8)];
        const body = Buffer.from(d.subarray(HEAD));
        if (parts === 1) { handler(from, deserialize(body)); return; }
        const got = part === 0 ? [] : partial.get(from) ?? [];
        got.push(body);
        if (part + 1 < parts) { partial.set(from, got); return; }
        partial.delete(from);
        handler(from, deserialize(Buffer.concat(got)));
      },
    });
    // The server knows the subscription before anyone is told it exists.
    await this.nc.flush();
  }

  flush(): Promise<void> { return this.nc.flush(); }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}
