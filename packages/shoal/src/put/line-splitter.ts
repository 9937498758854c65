/**
 * Splits a byte stream into lines: on LF, with a CR before the LF removed
 * (CRLF files), the last line kept even without a final newline. Works on
 * bytes, so data that is not UTF-8 reaches the stream unchanged. Bounded:
 * a line longer than `lineBytesMax` throws LineTooLongError as soon as it is
 * seen, before it is held in memory whole.
 */

const LF = 0x0a;
const CR = 0x0d;

export class LineTooLongError extends Error {
  constructor(readonly lineNumber: number, readonly lineBytesMax: number) {
    super(`line ${lineNumber} is longer than ${lineBytesMax} bytes`);
  }
}

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Lines returned so far (the number of the next line is this + 1). */
  private lines = 0;

  constructor(private readonly lineBytesMax: number) {}

  /** The complete lines in `chunk` (with what came before it). */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let start = 0;
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, start)) {
      out.push(this.take(chunk.subarray(start, lf)));
      start = lf + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      // One byte over the bound is allowed while the line may still end in CR LF.
      if (this.pendingBytes + rest.length > this.lineBytesMax + 1) throw new LineTooLongError(this.lines + 1, this.lineBytesMax);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    return out;
  }

  /** The last line when the input did not end with a newline. */
  end(): Buffer | undefined {
    if (this.pendingBytes === 0) return undefined;
    return this.take(Buffer.alloc(0));
  }

  private take(tail: Buffer): Buffer {
    let line = this.pendingBytes === 0 ? tail : Buffer.concat([...this.pending, tail]);
    this.pending = [];
    this.pendingBytes = 0;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    this.lines++;
    if (line.length > this.lineBytesMax) throw new LineTooLongError(this.lines, this.lineBytesMax);
    return line;
  }
}
