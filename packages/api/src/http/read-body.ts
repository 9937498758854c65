/**
 * Reads a request body into one Buffer, bounded in size and time: a body
 * declared (Content-Length) or found while streaming to be over
 * REQUEST_BYTES_MAX is refused without buffering the rest, and a body that
 * does not arrive within BODY_READ_TIMEOUT_MS is abandoned. A client that
 * closes before sending everything fails only its own request.
 */
import type { Readable } from 'node:stream';

/** Time to receive a whole body (a 16 MiB body over a slow link takes seconds, not minutes). */
export const BODY_READ_TIMEOUT_MS = 60_000;

export type BodyResult =
  | { readonly ok: true; readonly body: Buffer }
  | { readonly ok: false; readonly reason: 'too-large' | 'timeout' | 'aborted' };

export function readBody(stream: Readable, declaredLength: number | undefined, bytesMax: number): Promise<BodyResult> {
  if (declaredLength !== undefined && declaredLength > bytesMax) return Promise.resolve({ ok: false, reason: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const finish = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onAbort);
      stream.off('close', onClose);
      if (!result.ok) stream.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > bytesMax) { chunks.length = 0; finish({ ok: false, reason: 'too-large' }); return; }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length) });
    const onAbort = (): void => finish({ ok: false, reason: 'aborted' });
    // 'close' after 'end' is normal; 'close' first means the client went away mid-body.
    const onClose = (): void => finish({ ok: false, reason: 'aborted' });
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout' }), BODY_READ_TIMEOUT_MS);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onAbort);
    stream.on('close', onClose);
  });
}
