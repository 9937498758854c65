/**
 * Assembles one api process: the metadata view (etcd watch), the storage
 * node clients, the operations behind the dispatcher, and the HTTP/1.1 +
 * h2c server on one port (Kinesis calls, /healthz and /metrics).
 */
import { MetadataStore } from '@shoal/metadata';
import { wallClockMs, type Logger } from '@shoal/wire';
import { CONTROL_RATES_PER_SEC_DEFAULT, ControlRateLimiter } from './control-rate-limiter';
import { Dispatcher } from './dispatcher';
import { startDualProtocolServer, type DualProtocolServer } from './http/dual-protocol-server';
import { createRequestHandler } from './http/handle-request';
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
  /** Control-plane requests per second per operation and account; undefined = Kinesis' defaults, empty map = off. */
  readonly controlRates?: ReadonlyMap<string, number>;
  /** The cluster master key (encryption at rest); undefined: encryption unavailable. */
  readonly masterKey?: MasterKey;
  readonly logger: Logger;
}

export interface ApiServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  readonly metadata: MetadataStore;
  close(): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { logger } = options;
  const metadata = new MetadataStore({ endpoints: options.etcdEndpoints, prefix: options.prefix });
  await metadata.start();
  const iteratorKey = await metadata.iteratorKey();
  const storage = new StorageClients(metadata.view);
  const unsubscribe = metadata.onChange((change) => { if (change.kind === 'node') storage.prune(); });
  const metrics = new ApiMetrics([...OPERATIONS.keys()]);
  const ctx: ProcessContext = {
    config: {
      region: options.region, accountId: options.accountId, updateShardCountPerDayMax: options.updateShardCountPerDayMax,
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
    crypto: new RecordCrypto(options.masterKey),
    distributor: new RecordDistributor(),
  };
  const dispatcher = new Dispatcher(ctx, OPERATIONS, new ControlRateLimiter(options.controlRates ?? CONTROL_RATES_PER_SEC_DEFAULT));
  let http: DualProtocolServer;
  try {
    http = await startDualProtocolServer(options.host, options.port, createRequestHandler({
      dispatcher, registry: metrics.registry, logger, health: () => ({ ok: true, revision: metadata.view.revision }),
    }), logger);
  } catch (err) {
    unsubscribe();
    await metadata.close();
    throw err;
  }
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.info('api listening', { host: options.host, port, encryptionAtRest: options.masterKey ? `master key ${options.masterKey.id} from ${options.masterKey.source}` : 'off (no master key)' });
  return {
    port,
    metadata,
    close: async () => {
      await http.close();
      unsubscribe();
      storage.close();
      await metadata.close();
    },
  };
}
