/**
 * Assembles one api process: the metadata view (etcd watch), the storage
 * node clients, the authenticator (--auth), the operations behind the
 * dispatcher, and the HTTP/1.1 + h2c server on one port (Kinesis calls,
 * /healthz and /metrics), with HTTPS (h2 and http/1.1 by ALPN) on a second
 * port when TLS is on; every listener on IPv4 and IPv6 loopback (or all
 * addresses of both families) where the host has IPv6.
 */
import { networkInterfaces } from 'node:os';
import { randomUUID } from 'node:crypto';
import { MetadataStore } from '@shoal/metadata';
import { credentialScopeAuthenticator, sigv4Authenticator, type Authenticator } from './auth/authenticator';
import { CredentialsFile } from './auth/credentials-file';
import { ensureCertificate, type TlsCertificateOptions } from './http/tls-certificate';
import { wallClockMs, type Logger } from '@shoal/wire';
import { CONTROL_RATES_PER_SEC_DEFAULT, ControlRateLimiter } from './control-rate-limiter';
import { Dispatcher } from './dispatcher';
import { startDualProtocolServer, type DualProtocolServer } from './http/dual-protocol-server';
import { createRequestHandler } from './http/handle-request';
import { FanOut } from './fanout/fan-out';
import { FAN_OUT_DEFAULTS, type FanOutSettings } from './fanout/fan-out-settings';
import type { MasterKey } from './encryption/master-key';
import { RecordCrypto } from './encryption/record-crypto';
import { ApiMetrics } from './metrics';
import type { ApiConfig, ProcessContext } from './operation';
import { OPERATIONS } from './operations/index';
import { ShardRouting } from './storage/shard-routing';
import { StorageClients } from './storage/storage-clients';
import { RecordDistributor } from './streams/record-distribution';

export interface ApiServerOptions extends ApiConfig {
  readonly host: string;
  readonly port: number;
  readonly etcdEndpoints: readonly string[];
  readonly prefix: string;
  /** Also listen on the IPv6 counterpart of `host` (::1 for loopback, :: for all addresses). Default true. */
  readonly ipv6?: boolean;
  /** The shared-credentials file of --auth sigv4 (required then). */
  readonly credentialsFile?: string;
  /** HTTPS on this port (0 = any free port) with this certificate; absent = no TLS. */
  readonly tls?: TlsCertificateOptions & { readonly port: number };
  /** Control-plane requests per second per operation and account; undefined = Kinesis' defaults, empty map = off. */
  readonly controlRates?: ReadonlyMap<string, number>;
  /** SubscribeToShard bounds and timers over FAN_OUT_DEFAULTS (a short session in tests). */
  readonly fanOut?: Partial<FanOutSettings>;
  /** The cluster master key (encryption at rest); undefined: encryption unavailable. */
  readonly masterKey?: MasterKey;
  readonly logger: Logger;
}

export interface ApiServer {
  /** The port actually bound (useful with port 0), and the TLS port when TLS is on. */
  readonly port: number;
  readonly tlsPort?: number;
  /** The certificate file clients trust when TLS is on. */
  readonly tlsCertPath?: string;
  readonly metadata: MetadataStore;
  close(): Promise<void>;
}

/** Whether this host has IPv6 (an IPv6 address on any interface, loopback included). */
function hostHasIpv6(): boolean {
  return Object.values(networkInterfaces()).some((list) => (list ?? []).some((a) => a.family === 'IPv6'));
}

/**
 * Where to listen for `host`: loopback also on ::1, the IPv4 wildcard as the
 * dual-stack '::' (both families on one socket), when the host has IPv6.
 */
export function listenHosts(host: string, ipv6: boolean, hasIpv6 = hostHasIpv6()): string[] {
  if (!ipv6 || !hasIpv6) return [host === '::' ? '0.0.0.0' : host];
  if (host === '127.0.0.1' || host === 'localhost') return ['127.0.0.1', '::1'];
  if (host === '0.0.0.0' || host === '::') return ['::'];
  return [host];
}

function authenticatorFor(options: ApiServerOptions): { authenticator: Authenticator; credentials?: CredentialsFile } {
  if ((options.auth ?? 'none') === 'none') return { authenticator: credentialScopeAuthenticator(options) };
  if (options.credentialsFile === undefined) throw new Error('--auth sigv4 needs --credentials FILE');
  const credentials = new CredentialsFile(options.credentialsFile, options.logger);
  credentials.watch();
  return { authenticator: sigv4Authenticator(credentials, wallClockMs), credentials };
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { logger } = options;
  const certificate = options.tls ? await ensureCertificate(options.tls, logger) : undefined;
  const { authenticator, credentials } = authenticatorFor(options);
  const metrics = new ApiMetrics([...OPERATIONS.keys()]);
  const metadata = new MetadataStore({
    endpoints: options.etcdEndpoints, prefix: options.prefix, onEtcdCall: (method, seconds, outcome) => metrics.etcdRequests.observe({ method, outcome }, seconds),
  });
  await metadata.start();
  const iteratorKey = await metadata.iteratorKey();
  const storage = new StorageClients(metadata.view);
  const crypto = new RecordCrypto(options.masterKey);
  const fanOut = new FanOut(`${options.host}:${options.port}/${process.pid}/${randomUUID().slice(0, 8)}`, {
    view: metadata.view, storage, logger, metrics, now: wallClockMs, crypto,
    settings: { ...FAN_OUT_DEFAULTS, ...options.fanOut },
    timers: { set: (fn, ms) => setTimeout(fn, ms), clear: (handle) => clearTimeout(handle as NodeJS.Timeout) },
  });
  const unsubscribe = metadata.onChange((change) => {
    if (change.kind === 'node') storage.prune();
    if (change.kind === 'stream') metrics.onStreamChange(metadata.view);
    fanOut.onMetadataChange(change);
  });
  const ctx: ProcessContext = {
    config: {
      region: options.region, accountId: options.accountId, updateShardCountPerDayMax: options.updateShardCountPerDayMax, auth: options.auth ?? 'none',
      shardLimit: options.shardLimit, onDemandStreamLimit: options.onDemandStreamLimit,
    },
    view: metadata.view,
    metadata,
    storage,
    routing: new ShardRouting(metadata.view),
    iteratorKey,
    metrics,
    logger,
    now: wallClockMs,
    fanOut,
    crypto,
    distributor: new RecordDistributor(),
  };
  const dispatcher = new Dispatcher(ctx, OPERATIONS, new ControlRateLimiter(options.controlRates ?? CONTROL_RATES_PER_SEC_DEFAULT), authenticator);
  let http: DualProtocolServer;
  try {
    http = await startDualProtocolServer({
      hosts: listenHosts(options.host, options.ipv6 ?? true), port: options.port,
      ...(certificate && options.tls ? { tls: { port: options.tls.port, cert: certificate.cert, key: certificate.key } } : {}),
    }, createRequestHandler({
      dispatcher, registry: metrics.registry, logger, health: () => ({ ok: true, revision: metadata.view.revision }),
    }), logger);
  } catch (err) {
    unsubscribe();
    credentials?.close();
    await metadata.close();
    throw err;
  }
  logger.info('api listening', {
    listening: http.listening, auth: options.auth ?? 'none', ...(certificate ? { tlsCert: certificate.certPath } : {}),
    encryptionAtRest: options.masterKey ? `master key ${options.masterKey.id} from ${options.masterKey.source}` : 'off (no master key)',
  });
  return {
    port: http.port,
    ...(http.tlsPort !== undefined ? { tlsPort: http.tlsPort } : {}),
    ...(certificate ? { tlsCertPath: certificate.certPath } : {}),
    metadata,
    close: async () => {
      // Open subscriptions would hold the server open: end them (clients subscribe again elsewhere).
      fanOut.close();
      await http.close();
      credentials?.close();
      unsubscribe();
      storage.close();
      await metadata.close();
    },
  };
}
