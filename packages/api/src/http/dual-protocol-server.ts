/**
 * One TCP port that serves HTTP/1.1 and cleartext HTTP/2 with prior
 * knowledge (what the AWS SDK for JavaScript v3 uses by default). The first
 * bytes of each connection decide: the HTTP/2 connection preface goes to an
 * http2 server, anything else to an http server. Either way the sniffed
 * bytes are pushed back with socket.unshift() and the native socket is
 * handed over: the HTTP/1.1 parser reads them from the stream, and an
 * http2 session (Node >= 20) first feeds whatever the socket has buffered
 * to nghttp2, then reads the native handle. (An earlier JS Duplex wrapper
 * that replayed the bytes cost about 8% of the api's CPU under load.)
 *
 * HTTP/2 flow control: we advertise large stream and session windows (see
 * HTTP2_STREAM_WINDOW_BYTES) so a client can send a whole PutRecords body
 * without waiting for WINDOW_UPDATEs.
 *
 * TLS (--tls-port): the same two servers behind a TLS listener that offers
 * h2 and http/1.1 by ALPN; the negotiated protocol picks the server (no
 * ALPN: HTTP/1.1).
 *
 * Addresses: every listener (plain and TLS) listens on each of `hosts`:
 * the first must bind; a later one that cannot (no IPv6 on this host) is
 * logged and skipped. '::' is a dual-stack socket (IPv4 too).
 *
 * Bounds: connections (CONNECTIONS_MAX per listener), time to send the
 * first bytes (SNIFF_TIMEOUT_MS) or finish the TLS handshake
 * (TLS_HANDSHAKE_TIMEOUT_MS), HTTP/1.1 header size (431 above the limit),
 * header and whole-request time, and idle time of either protocol.
 */
import { createServer as createHttp1Server, type Server as Http1Server } from 'node:http';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { limits } from '@shoal/core';
import type { Logger } from '@shoal/wire';
import type { AnyRequest, AnyResponse } from './handle-request';

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** Time a new connection has to send its first bytes. */
export const SNIFF_TIMEOUT_MS = 10_000;
/** Time to send a whole header block (HTTP/1.1). */
export const HEADERS_TIMEOUT_MS = 10_000;
/**
 * How often the HTTP/1.1 server checks the two bounds above. Node's default
 * (30 s) let a client trickling its headers hold a connection up to 40 s
 * instead of HEADERS_TIMEOUT_MS (the hostile-input chaos scenario measures it).
 */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** Time to send a whole request, headers and body (HTTP/1.1). */
export const REQUEST_TIMEOUT_MS = 120_000;
/** A connection (or HTTP/2 session) with no traffic this long is closed. */
export const IDLE_TIMEOUT_MS = 120_000;
/** Keep-alive time between HTTP/1.1 requests. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Concurrent connections per listener. */
export const CONNECTIONS_MAX = 10_000;
/** Time a TLS client has to finish its handshake. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Protocols offered by ALPN on the TLS port, in order of preference. */
const ALPN_PROTOCOLS = ['h2', 'http/1.1'];
/** Concurrent streams per HTTP/2 session. */
const HTTP2_STREAMS_MAX = 1000;
/**
 * Receive window of each HTTP/2 stream (SETTINGS_INITIAL_WINDOW_SIZE). The
 * default 64 KiB makes a client stop every 64 KiB of a PutRecords body and
 * wait for our WINDOW_UPDATE, which waits for our event loop: with 8 bodies
 * of ~700 KB in flight that capped HTTP/2 at a fifth of HTTP/1.1. One large
 * body fits in this window; memory stays bounded by REQUEST_BYTES_MAX per
 * request because the body reader counts and refuses bytes as they arrive.
 */
export const HTTP2_STREAM_WINDOW_BYTES = 8 * 1024 * 1024;
/** Receive window of a whole HTTP/2 session (all its streams together); the default is 64 KiB. */
export const HTTP2_SESSION_WINDOW_BYTES = 32 * 1024 * 1024;
/** Largest DATA frame a client may send us: fewer, larger frames cost less per byte (default 16 KiB). */
const HTTP2_FRAME_BYTES_MAX = 1024 * 1024;
/**
 * Memory nghttp2 may hold per session, in MB (Node's default is 10). Above
 * it, new streams are refused (ENHANCE_YOUR_CALM); the session window above
 * lets a client have up to HTTP2_SESSION_WINDOW_BYTES unread, so allow that and more.
 */
const HTTP2_SESSION_MEMORY_MB = 64;

export interface TlsListenOptions {
  readonly port: number;
  readonly cert: string;
  readonly key: string;
}

export interface ListenOptions {
  /** Addresses to listen on; the first must bind (see the header). */
  readonly hosts: readonly string[];
  readonly port: number;
  readonly tls?: TlsListenOptions;
}

export interface DualProtocolServer {
  /** The plain (HTTP/1.1 + h2c) port actually bound, and the TLS one when TLS is on. */
  readonly port: number;
  readonly tlsPort?: number;
  /** `host:port` of every socket listening. */
  readonly listening: readonly string[];
  close(): Promise<void>;
}

function listenOn(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, ipv6Only: false }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Listens `make()` servers on every host (the first host first, its port then used for the rest). */
async function listenAll(make: () => NetServer, hosts: readonly string[], port: number, logger: Logger): Promise<{ port: number; servers: NetServer[]; listening: string[] }> {
  const servers: NetServer[] = [];
  const listening: string[] = [];
  let bound = port;
  for (const [i, host] of hosts.entries()) {
    const server = make();
    try {
      bound = await listenOn(server, bound, host);
    } catch (err) {
      if (i === 0) { for (const s of servers) s.close(); throw err; }
      logger.warn('not listening on this address', { host, port: bound, err: (err as Error).message });
      continue;
    }
    servers.push(server);
    listening.push(host.includes(':') ? `[${host}]:${bound}` : `${host}:${bound}`);
  }
  return { port: bound, servers, listening };
}

export async function startDualProtocolServer(
  options: ListenOptions, handler: (req: AnyRequest, res: AnyResponse) => void, logger: Logger,
): Promise<DualProtocolServer> {
  const http1: Http1Server = createHttp1Server({
    maxHeaderSize: limits.REQUEST_HEADER_BYTES_MAX, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  }, handler);
  http1.timeout = IDLE_TIMEOUT_MS;
  // The http server never listens itself; 'listening' starts its header/request timeout checks.
  http1.emit('listening');
  const http2: Http2Server = createHttp2Server({
    maxSessionMemory: HTTP2_SESSION_MEMORY_MB,
    settings: {
      maxHeaderListSize: limits.REQUEST_HEADER_BYTES_MAX, maxConcurrentStreams: HTTP2_STREAMS_MAX,
      initialWindowSize: HTTP2_STREAM_WINDOW_BYTES, maxFrameSize: HTTP2_FRAME_BYTES_MAX,
    },
  }, handler);
  http2.on('session', (session) => {
    // The session window is not a SETTING: it grows only through WINDOW_UPDATE, which this sends.
    session.setLocalWindowSize(HTTP2_SESSION_WINDOW_BYTES);
  });
  http2.setTimeout(IDLE_TIMEOUT_MS);
  http2.on('sessionError', (err) => logger.debug('http2 session error', { err }));

  // noDelay: Node's http server turns Nagle's algorithm off only on connections it accepts itself, and the
  // servers here are handed theirs, so HTTP/1.1 connections kept it on (a short write could wait for the
  // client's delayed ACK; strace showed no TCP_NODELAY on them). Node's http2 sets it on its sessions' sockets.
  const plainServer = (): NetServer => {
    const net = createNetServer({ pauseOnConnect: true, noDelay: true }, (socket) => sniff(socket, http1, http2));
    net.maxConnections = CONNECTIONS_MAX;
    return net;
  };
  const plain = await listenAll(plainServer, options.hosts, options.port, logger);
  let secure: { port: number; servers: NetServer[]; listening: string[] } | undefined;
  if (options.tls) {
    const { cert, key } = options.tls;
    const tlsServer = (): NetServer => {
      const server = createTlsServer({ cert, key, ALPNProtocols: ALPN_PROTOCOLS, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS, noDelay: true }, (socket: TLSSocket) => {
        if (socket.alpnProtocol === 'h2') http2.emit('connection', socket);
        else http1.emit('connection', socket);
      });
      server.on('tlsClientError', (err) => logger.debug('tls client error', { err: err.message }));
      server.maxConnections = CONNECTIONS_MAX;
      return server;
    };
    try {
      secure = await listenAll(tlsServer, options.hosts, options.tls.port, logger);
    } catch (err) {
      for (const s of plain.servers) s.close();
      throw err;
    }
  }
  const all = [...plain.servers, ...(secure?.servers ?? [])];
  return {
    port: plain.port,
    ...(secure ? { tlsPort: secure.port } : {}),
    listening: [...plain.listening, ...(secure?.listening ?? [])],
    close: async () => {
      http1.closeAllConnections();
      http1.close(() => undefined);
      http2.close();
      await Promise.all(all.map((server) => new Promise<void>((done) => server.close(() => done()))));
    },
  };
}

function sniff(socket: Socket, http1: Http1Server, http2: Http2Server): void {
  const chunks: Buffer[] = [];
  let length = 0;
  const timer = setTimeout(() => socket.destroy(), SNIFF_TIMEOUT_MS);
  const cleanup = (): void => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('error', onError);
    socket.off('end', onEnd);
    socket.pause();
  };
  const onError = (): void => { cleanup(); socket.destroy(); };
  const onEnd = (): void => { cleanup(); socket.destroy(); };
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    length += chunk.length;
    const head = chunks.length === 1 ? chunk : Buffer.concat(chunks, length);
    const compared = Math.min(head.length, HTTP2_PREFACE.length);
    if (!head.subarray(0, compared).equals(HTTP2_PREFACE.subarray(0, compared))) {
      cleanup();
      socket.unshift(head);
      http1.emit('connection', socket);
      socket.resume();
    } else if (compared === HTTP2_PREFACE.length) {
      cleanup();
      socket.unshift(head);
      http2.emit('connection', socket);
    }
  };
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('end', onEnd);
  socket.resume();
}
