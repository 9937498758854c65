/**
 * The sink a streamed response body (an event stream) is written to: the
 * producer may go on while the bytes handed to the HTTP layer and not yet
 * written to the socket stay below STREAMED_BODY_QUEUED_BYTES_MAX, and is
 * told (onDrain) as soon as a write completes below it; onClose once the
 * exchange ended, for any reason.
 */
import type { ResponseSink } from '../operation';

/**
 * Bytes of a streamed body handed to the HTTP layer and not yet written to
 * the socket, past which the producer waits. Node's writables ask to wait
 * past 16 KiB, that is after every event: the next event was then made
 * only once the last byte of the previous one was on the wire, and over
 * HTTP/2 the client's flow-control window stayed unused meanwhile (the time
 * to encode an event and an event-loop turn, per event). With a second
 * event queued, nghttp2 sends on at once when the client's WINDOW_UPDATE
 * arrives. Over HTTP/1.1 the socket's buffer mostly takes the bytes at
 * once. Bounds what a slow client holds in the HTTP layer per streamed
 * response.
 */
export const STREAMED_BODY_QUEUED_BYTES_MAX = 512 * 1024;

/** What the sink needs of a response: Node's writable write (with its completion callback) and end. */
export interface BodyWritable {
  write(chunk: Buffer, written: () => void): unknown;
  end(): void;
  readonly writableEnded: boolean;
}

/** A sink over `out`, and `gone()`, to call once when the exchange ended (the response finished or closed). */
export function streamedBodySink(out: BodyWritable, queuedBytesMax = STREAMED_BODY_QUEUED_BYTES_MAX): { sink: ResponseSink; gone: () => void } {
  const closeListeners: Array<() => void> = [];
  const drainListeners: Array<() => void> = [];
  let closed = false;
  // Our own bound instead of the writable's: bytes written and not yet on the wire.
  let queuedBytes = 0;
  const written = (bytes: number) => (): void => {
    queuedBytes -= bytes;
    if (queuedBytes < queuedBytesMax) for (const l of drainListeners.splice(0)) l();
  };
  const gone = (): void => {
    if (closed) return;
    closed = true;
    drainListeners.length = 0;
    for (const l of closeListeners.splice(0)) l();
  };
  const sink: ResponseSink = {
    write: (chunk) => {
      if (closed) return false;
      queuedBytes += chunk.length;
      out.write(chunk, written(chunk.length));
      return queuedBytes < queuedBytesMax;
    },
    onDrain: (listener) => { drainListeners.push(listener); },
    onClose: (listener) => { if (closed) listener(); else closeListeners.push(listener); },
    end: () => { if (!closed && !out.writableEnded) out.end(); },
  };
  return { sink, gone };
}
