/**
 * A Duplex over a TCP socket that first yields bytes already read from it
 * (the protocol sniff), then the socket's own data. The http2 server reads
 * its socket's native handle directly, so bytes pushed back with
 * socket.unshift() never reach it; this wrapper hands them over as stream
 * data instead. Writes, end and destroy go straight to the socket.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export class ReplayDuplex extends Duplex {
  constructor(private readonly socket: Socket, head: Buffer) {
    super({ allowHalfOpen: false });
    if (head.length > 0) this.push(head);
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  get remoteAddress(): string | undefined { return this.socket.remoteAddress; }
  get remotePort(): number | undefined { return this.socket.remotePort; }
  get localAddress(): string | undefined { return this.socket.localAddress; }
  get localPort(): number | undefined { return this.socket.localPort; }

  setNoDelay(noDelay?: boolean): this { this.socket.setNoDelay(noDelay); return this; }
  setKeepAlive(enable?: boolean, initialDelay?: number): this { this.socket.setKeepAlive(enable, initialDelay); return this; }
  setTimeout(ms: number, callback?: () => void): this { this.socket.setTimeout(ms, callback); return this; }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.socket.write(chunk, callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.socket.destroy();
    callback(err);
  }
}
