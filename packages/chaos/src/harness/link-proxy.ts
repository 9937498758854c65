/**
 * One link between two processes: a TCP proxy on 127.0.0.1 that forwards
 * every connection to one target, and that the harness can degrade at any
 * moment:
 *
 *   pass       forward both ways;
 *   blackhole  accept and hold connections, forward nothing either way
 *              (a partition: the peer sees silence, not a refusal);
 *   one-way    forward only the `from -> to` direction ('forward') or only
 *              the reply direction ('backward'); the other is dropped;
 *   delay      forward both ways, each chunk held `delayMs` (order kept);
 *   reset()    sends a TCP RST on every open connection (once).
 *
 * Bytes dropped in the middle of a stream would corrupt it, so a connection
 * that lost any byte is marked tainted and reset when the link heals; the
 * process then reconnects as it would after a real partition. Connections
 * and delayed bytes are bounded.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { LINK_CONNECTIONS_MAX, LINK_DELAYED_BYTES_MAX } from '../chaos-limits';

export type LinkMode =
  | { readonly kind: 'pass' }
  | { readonly kind: 'blackhole' }
  | { readonly kind: 'one-way'; readonly passes: 'forward' | 'backward' }
  | { readonly kind: 'delay'; readonly delayMs: number };

export const PASS: LinkMode = { kind: 'pass' };

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  tainted: boolean;
  delayedBytes: number;
  /** Per direction, when the last delayed chunk goes out: later chunks never overtake it. */
  readonly releaseMs: { forward: number; backward: number };
}

export class LinkProxy {
  private server: Server | undefined;
  private mode: LinkMode = PASS;
  private readonly pairs = new Set<Pair>();

  constructor(readonly name: string, readonly listenPort: number, readonly targetHost: string, readonly targetPort: number) {}

  get address(): string {
    return `127.0.0.1:${this.listenPort}`;
  }

  get current(): LinkMode {
    return this.mode;
  }

  start(): Promise<void> {
    const server = createServer({ noDelay: true }, (client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
  }

  /** Sets the mode; back to pass resets every tainted connection (its stream lost bytes). */
  set(mode: LinkMode): void {
    this.mode = mode;
    if (mode.kind === 'pass') for (const p of this.pairs) if (p.tainted) this.destroy(p);
  }

  /** RST on every open connection. */
  reset(): void {
    for (const p of this.pairs) this.destroy(p);
  }

  async close(): Promise<void> {
    this.reset();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.pairs.size >= LINK_CONNECTIONS_MAX) { client.resetAndDestroy(); return; }
    const upstream = connect({ host: this.targetHost, port: this.targetPort, noDelay: true });
    const pair: Pair = { client, upstream, tainted: false, delayedBytes: 0, releaseMs: { forward: 0, backward: 0 } };
    this.pairs.add(pair);
    client.on('data', (chunk: Buffer) => this.carry(pair, chunk, 'forward'));
    upstream.on('data', (chunk: Buffer) => this.carry(pair, chunk, 'backward'));
    // A refused or closed target looks to the client like the target itself closing.
    for (const s of [client, upstream]) {
      s.on('error', () => this.destroy(pair));
      s.on('close', () => this.destroy(pair));
    }
  }

  private carry(pair: Pair, chunk: Buffer, direction: 'forward' | 'backward'): void {
    const to = direction === 'forward' ? pair.upstream : pair.client;
    const m = this.mode;
    if (m.kind === 'blackhole' || (m.kind === 'one-way' && m.passes !== direction)) {
      pair.tainted = true;
      return;
    }
    const now = Date.now();
    const delayMs = Math.max(m.kind === 'delay' ? m.delayMs : 0, pair.releaseMs[direction] - now);
    if (delayMs <= 0) { if (!to.destroyed) to.write(chunk); return; }
    if (pair.delayedBytes + chunk.length > LINK_DELAYED_BYTES_MAX) { pair.tainted = true; return; }
    pair.delayedBytes += chunk.length;
    pair.releaseMs[direction] = now + delayMs;
    // Timers due at the same or a later time fire in the order they were set, so the byte order is kept.
    setTimeout(() => {
      pair.delayedBytes -= chunk.length;
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  }

  private destroy(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    for (const s of [pair.client, pair.upstream]) {
      if (s.destroyed) continue;
      if (s.readyState === 'open') s.resetAndDestroy(); else s.destroy();
    }
  }
}
