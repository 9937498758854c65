/** A ResponseSink that keeps what it is given and decodes it as event-stream messages (the SDK's codec), with scripted back-pressure. */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import type { ResponseSink } from '../../src/operation';

export interface DecodedMessage {
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: Record<string, unknown>;
}

const codec = new EventStreamCodec((b) => Buffer.from(b).toString('utf8'), (s) => Buffer.from(s, 'utf8'));

export class FakeSink implements ResponseSink {
  readonly chunks: Buffer[] = [];
  ended = false;
  /** write() answers this (false: the transport is full). */
  accepting = true;
  private drainListeners: Array<() => void> = [];
  private closeListeners: Array<() => void> = [];

  write(chunk: Buffer): boolean {
    if (this.ended) throw new Error('write after end');
    this.chunks.push(chunk);
    return this.accepting;
  }
  onDrain(listener: () => void): void { this.drainListeners.push(listener); }
  onClose(listener: () => void): void { if (this.ended) listener(); else this.closeListeners.push(listener); }
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const l of this.closeListeners.splice(0)) l();
  }

  /** The transport emptied: accept again and tell the producer. */
  drain(): void {
    this.accepting = true;
    for (const l of this.drainListeners.splice(0)) l();
  }

  /** The client went away. */
  close(): void {
    this.end();
  }

  messages(): DecodedMessage[] {
    return this.chunks.map((c) => {
      const m = codec.decode(c);
      const headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, String(v.value)]));
      return { headers, payload: JSON.parse(Buffer.from(m.body).toString('utf8')) as Record<string, unknown> };
    });
  }

  /** SubscribeToShardEvent payloads only. */
  events(): Array<Record<string, unknown>> {
    return this.messages().filter((m) => m.headers[':event-type'] === 'SubscribeToShardEvent').map((m) => m.payload);
  }
}
