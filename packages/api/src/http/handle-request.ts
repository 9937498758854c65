/**
 * The request handler shared by the HTTP/1.1 and HTTP/2 servers (through
 * Node's compatibility API): GET /healthz, GET /metrics, and every other
 * request as a Kinesis call (POST; the path is ignored, as Kinesis does).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants as h2constants, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { setImmediate as afterThisTurnsIo } from 'node:timers/promises';
import { limits } from '@shoal/core';
import type { Logger } from '@shoal/wire';
import type { Registry } from 'prom-client';
import type { Dispatcher } from '../dispatcher';
import type { ResponseSink, ResponseStream } from '../operation';
import { readBody } from './read-body';
import { streamedBodySink } from './streamed-body-sink';

export type AnyRequest = IncomingMessage | Http2ServerRequest;
export type AnyResponse = ServerResponse | Http2ServerResponse;

export interface HandlerDeps {
  readonly dispatcher: Dispatcher;
  readonly registry: Registry;
  readonly health: () => { ok: boolean; [key: string]: unknown };
  readonly logger: Logger;
}

function send(res: AnyResponse, status: number, headers: Readonly<Record<string, string>>, body: Buffer | string): void {
  if (res.headersSent || res.writableEnded) return;
  const all: Record<string, string | number> = { ...headers, 'content-length': Buffer.byteLength(body) };
  (res as ServerResponse).writeHead(status, all);
  (res as ServerResponse).end(body);
}

/**
 * Before a 413, the api reads (and drops) what the client is still sending, until the body is
 * complete, nothing arrived for DRAIN_IDLE_MS (a client waiting for an early answer) or
 * DRAIN_BEFORE_REFUSAL_MS passed. Over HTTP/1.1, answering while the body pours in made Node close
 * the connection with bytes unread, and the kernel then resets it: the client, still writing, got
 * EPIPE and never read the 413 (chaos hostile-input, about half the attempts). Over HTTP/2,
 * clients still sending fail the stream when it is reset.
 */
const DRAIN_BEFORE_REFUSAL_MS = 2_000;
const DRAIN_IDLE_MS = 200;
/** After a 413 over HTTP/1.1 with the body still incomplete, how long the half-closed connection still reads and drops. */
const LINGER_AFTER_REFUSAL_MS = 2_000;

function drainBody(req: AnyRequest): Promise<void> {
  if (req.complete || !req.readable) return Promise.resolve();
  return new Promise((resolve) => {
    let idle = setTimeout(() => done(), DRAIN_IDLE_MS);
    const drop = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => done(), DRAIN_IDLE_MS);
    };
    const done = (): void => {
      clearTimeout(idle);
      clearTimeout(timer);
      req.off('data', drop);
      req.off('end', done);
      req.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, DRAIN_BEFORE_REFUSAL_MS);
    req.on('data', drop);
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}

/** Half-closes an HTTP/1.1 connection after the answer, reading and dropping the rest of the body for a bounded time. */
function lingeringClose(req: IncomingMessage): void {
  const socket = req.socket;
  const timer = setTimeout(() => socket.destroy(), LINGER_AFTER_REFUSAL_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.end();
  req.resume();
}

/**
 * Ends the exchange so no more of the request is used: closes an HTTP/1.1 connection (cleanly
 * once its body was read; lingering if `linger`; else at once), ends an HTTP/2 stream (NO_ERROR
 * after a complete answer asks the client to stop sending without failing the answer, RFC 9113
 * section 8.1; CANCEL otherwise).
 */
function abandon(req: AnyRequest, res: AnyResponse, linger = false): void {
  const finish = (): void => {
    if ('stream' in req) req.stream.close(res.writableEnded ? h2constants.NGHTTP2_NO_ERROR : h2constants.NGHTTP2_CANCEL);
    else if (req.complete) req.socket.end();
    else if (linger) lingeringClose(req);
    else req.socket.destroy();
  };
  if (res.writableEnded) res.once('finish', finish);
  else finish();
}

function headerBytes(req: AnyRequest): number {
  let n = 0;
  for (const h of req.rawHeaders) n += h.length + 2;
  return n;
}

/** A sink for a client already gone: the stream learns it at once and frees what it holds. */
const GONE_SINK: ResponseSink = { write: () => false, onDrain: () => undefined, onClose: (listener) => listener(), end: () => undefined };

/** True once the exchange cannot carry a body any more (the client reset the stream or closed the connection). */
function isGone(res: AnyResponse): boolean {
  return res.headersSent || res.writableEnded || res.destroyed || ('stream' in res && res.stream.destroyed);
}

/**
 * Sends the headers, then lets `stream` write the body with back-pressure until it ends or the client goes.
 * The stream is always piped, to a sink that is already closed when the client left first, so it never holds its resources.
 */
function sendStream(res: AnyResponse, status: number, headers: Readonly<Record<string, string>>, stream: ResponseStream): void {
  if (isGone(res)) { stream.pipe(GONE_SINK); return; }
  const out = res as ServerResponse;
  out.writeHead(status, { ...headers });
  out.flushHeaders();
  const { sink, gone } = streamedBodySink(out);
  out.once('close', gone);
  out.once('finish', gone);
  stream.pipe(sink);
}

function errorBody(type: string, message: string): string {
  return JSON.stringify({ __type: type, message });
}

export function createRequestHandler(deps: HandlerDeps): (req: AnyRequest, res: AnyResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      deps.logger.error('request handler failed', { err });
      send(res, 500, { 'content-type': 'application/x-amz-json-1.1' }, errorBody('InternalFailure', 'Internal service failure.'));
    });
  };
}

async function handle(deps: HandlerDeps, req: AnyRequest, res: AnyResponse): Promise<void> {
  const json = { 'content-type': 'application/x-amz-json-1.1' };
  // HTTP/1.1 enforces this while parsing (431); HTTP/2 headers arrive decoded, so count them here.
  if (headerBytes(req) > limits.REQUEST_HEADER_BYTES_MAX) {
    send(res, 431, json, errorBody('ValidationException', 'Request header fields too large.'));
    abandon(req, res);
    return;
  }
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/healthz') {
    const report = deps.health();
    send(res, report.ok ? 200 : 503, { 'content-type': 'application/json' }, JSON.stringify(report));
    return;
  }
  if (req.method === 'GET' && path === '/metrics') {
    send(res, 200, { 'content-type': deps.registry.contentType }, await deps.registry.metrics());
    return;
  }
  const declared = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
  const result = await readBody(req, Number.isFinite(declared) ? declared : undefined, limits.REQUEST_BYTES_MAX);
  if (!result.ok) {
    if (result.reason === 'too-large') {
      await drainBody(req);
      send(res, 413, json, errorBody('ValidationException', `Request body must be at most ${limits.REQUEST_BYTES_MAX} bytes.`));
    } else if (result.reason === 'timeout') {
      send(res, 408, json, errorBody('ValidationException', 'Request body not received in time.'));
    }
    abandon(req, res, result.reason === 'too-large');
    return;
  }
  const secure = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  // The call's work (parse, validate, dispatch) runs after this event-loop turn's I/O callbacks, not among
  // them: Node's HTTP/2 sends what a client's WINDOW_UPDATE allows only at the end of the turn, so a
  // subscription over HTTP/2 waited for every PutRecords body that completed in the same turn (docs/fan-out.md
  // "HTTP/2 delivery: what limits it").
  await afterThisTurnsIo();
  const response = await deps.dispatcher.handle({ method: req.method, url: req.url, headers: req.headers, body: result.body, secure });
  if (Buffer.isBuffer(response.body)) send(res, response.status, response.headers, response.body);
  else sendStream(res, response.status, response.headers, response.body);
}
