/**
 * Writing to stdout with back-pressure: `line` waits when the pipe is full,
 * so `shoal tail` over a slow reader holds no more than one page in memory.
 * A reader that goes away (`shoal tail | head`) ends the command quietly.
 */
import { once } from 'node:events';

export class ReaderGoneError extends Error {
  constructor() { super('stdout closed'); }
}

export class Output {
  private gone = false;

  constructor(private readonly stream: NodeJS.WritableStream & { writableNeedDrain?: boolean } = process.stdout) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.gone = true;
      else throw err;
    });
  }

  /** Writes one line; resolves when the stream can take more. */
  async line(text: string): Promise<void> {
    if (this.gone) throw new ReaderGoneError();
    if (!this.stream.write(text + '\n')) {
      try { await once(this.stream, 'drain'); } catch (err) {
        if (this.gone) throw new ReaderGoneError();
        throw err;
      }
    }
    if (this.gone) throw new ReaderGoneError();
  }

  async json(value: unknown): Promise<void> {
    await this.line(JSON.stringify(value));
  }
}
