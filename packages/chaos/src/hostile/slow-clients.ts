/**
 * Slow clients (slowloris): raw TCP connections that trickle a request one
 * piece per interval and never finish it. Each resolves to the time the
 * api closed it (undefined if it was still open when stopped). The bounds
 * are the api's (packages/api/src/http): the first bytes of a connection
 * within 10 s, HTTP/1.1 headers within 10 s, a body within 60 s (then 408),
 * plus slack for the checks and a loaded machine.
 */
import { connect } from 'node:net';
import { JSON_CONTENT_TYPE, TARGET_PREFIX } from './bad-input-corpus';

const TRICKLE_MS = 1_000;
const SLACK_MS = 5_000;

export interface SlowKind {
  readonly name: string;
  readonly protocol: 'http1' | 'http2';
  /** Sent at once. */
  readonly head: string;
  /** The pieces sent one per TRICKLE_MS, cycling. */
  readonly drip: (i: number) => string;
  readonly closeWithinMs: number;
}

const H2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

export const SLOW_KINDS: readonly SlowKind[] = [
  { name: 'slow-first-bytes', protocol: 'http2', head: '', drip: (i) => H2_PREFACE[i % H2_PREFACE.length]!, closeWithinMs: 10_000 + SLACK_MS },
  { name: 'idle-connection', protocol: 'http1', head: '', drip: () => '', closeWithinMs: 10_000 + SLACK_MS },
  { name: 'slow-headers', protocol: 'http1', head: 'POST / HTTP/1.1\r\nHost: x\r\n', drip: (i) => `X-Slow-${i}: 1\r\n`, closeWithinMs: 10_000 + 1_000 + SLACK_MS },
  {
    name: 'slow-body', protocol: 'http1',
    head: `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: ${JSON_CONTENT_TYPE}\r\nX-Amz-Target: ${TARGET_PREFIX}ListStreams\r\nContent-Length: 100000\r\n\r\n`,
    drip: () => ' ', closeWithinMs: 60_000 + SLACK_MS,
  },
];

export interface SlowConnection {
  readonly closed: Promise<number | undefined>;
  stop(): void;
}

export function openSlowClient(endpoint: string, kind: SlowKind, now: () => number): SlowConnection {
  const url = new URL(endpoint);
  const socket = connect(Number(url.port), url.hostname);
  let i = 0;
  let stopped = false;
  const timer = setInterval(() => {
    const piece = kind.drip(i++);
    if (piece !== '' && socket.writable) socket.write(piece);
  }, TRICKLE_MS);
  socket.on('connect', () => { if (kind.head !== '') socket.write(kind.head); });
  socket.on('data', () => undefined);
  socket.on('error', () => undefined);
  const closed = new Promise<number | undefined>((resolve) => {
    socket.on('close', () => { clearInterval(timer); resolve(stopped ? undefined : now()); });
  });
  return { closed, stop: () => { stopped = true; clearInterval(timer); socket.destroy(); } };
}
