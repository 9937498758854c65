/**
 * Entry point of the api process (flags in docs/contracts.md):
 *   --host 127.0.0.1 --port 4567 --etcd http://127.0.0.1:2379 --prefix /shoal/
 *   --region us-east-1 --account-id 000000000000
 *   --control-rate-limit on|off   (Kinesis' per-account control-plane rates; default on)
 *   --update-shard-count-per-day 10   (UpdateShardCount calls per stream in 24 hours)
 *   --ipv6 on|off                 (also listen on ::1 / dual-stack :: where the host has IPv6; default on)
 *   --auth none|sigv4             (sigv4: verify signatures against --credentials; default none)
 *   --credentials FILE            (AWS shared-credentials format, one profile per identity; reloaded on change)
 *   --tls-port 4568               (HTTPS, h2 and http/1.1 by ALPN; 0 = any free port; absent = no TLS)
 *   --tls-dir DIR                 (where the self-signed certificate is kept; default ./data/tls)
 *   --tls-cert FILE --tls-key FILE  (serve this certificate instead)
 *   --tls-host NAME[,NAME]        (extra names in the self-signed certificate)
 *   --subscription-session-ms 300000 --subscription-idle-event-ms 2000 --subscription-takeover-sec 5
 *   --subscriptions-max 1000          (SubscribeToShard: docs/fan-out.md; shorter timers for tests)
 *   --shard-limit N   (account shard quota; default AWS's for the region)
 *   --on-demand-stream-limit 50   (ON_DEMAND streams per account)
 *   --master-key-file PATH, or SHOAL_MASTER_KEY=<base64>   (encryption at rest; docs/encryption.md)
 */
import { limits } from '@shoal/core';
import { DEFAULT_PREFIX } from '@shoal/metadata';
import { createLogger, Flags, startCpuProfileFromEnv, tuneHeapForBufferChurn } from '@shoal/wire';
import { startApiServer, type ApiServerOptions } from './api-server';
import type { AuthMode } from './operation';
import { FAN_OUT_DEFAULTS } from './fanout/fan-out-settings';
import { loadMasterKey } from './encryption/master-key';

const SHUTDOWN_GRACE_MS = 5_000;

/**
 * Node's pool for small Buffers (Buffer.from of a string, allocUnsafe),
 * 8 KiB by default: each PutRecords record's data decoded from base64 and
 * each shard's record body (about 4 KiB a shard at 128 shards) come from
 * it, so the default made a new pool every 7 records and an ArrayBuffer of
 * its own for most bodies (createUnsafeBuffer: 7% of the api's CPU profile
 * at 128 shards). With 64 KiB, 500 records and 128 bodies take 0.52 ms
 * instead of 0.86 (micro-benchmark, 2026-12-05). Buffers up to half of it
 * are pooled; a Buffer kept long pins its pool, and the api keeps few.
 */
const BUFFER_POOL_BYTES = 64 * 1024;

async function main(): Promise<void> {
  const writeProfile = startCpuProfileFromEnv('api');
  tuneHeapForBufferChurn();
  Buffer.poolSize = BUFFER_POOL_BYTES;
  const flags = new Flags(process.argv.slice(2));
  const logger = createLogger('api');
  const server = await startApiServer({
    host: flags.string('host', '127.0.0.1'),
    port: flags.int('port', 4567),
    etcdEndpoints: flags.list('etcd', ['http://127.0.0.1:2379']),
    prefix: flags.string('prefix', DEFAULT_PREFIX),
    region: flags.string('region', 'us-east-1'),
    accountId: flags.string('account-id', '000000000000'),
    updateShardCountPerDayMax: flags.int('update-shard-count-per-day', limits.UPDATE_SHARD_COUNT_PER_DAY_MAX),
    controlRates: flags.bool('control-rate-limit', true) ? undefined : new Map(),
    ipv6: flags.bool('ipv6', true),
    auth: authMode(flags.string('auth', 'none')),
    ...optional('credentialsFile', flags.optionalString('credentials')),
    ...tlsOptions(flags),
    fanOut: {
      sessionMs: flags.int('subscription-session-ms', FAN_OUT_DEFAULTS.sessionMs),
      idleEventMs: flags.int('subscription-idle-event-ms', FAN_OUT_DEFAULTS.idleEventMs),
      takeoverSec: flags.int('subscription-takeover-sec', FAN_OUT_DEFAULTS.takeoverSec),
      subscriptionsMax: flags.int('subscriptions-max', FAN_OUT_DEFAULTS.subscriptionsMax),
    },
    ...(flags.optionalString('shard-limit') !== undefined ? { shardLimit: flags.int('shard-limit', 0) } : {}),
    onDemandStreamLimit: flags.int('on-demand-stream-limit', limits.ON_DEMAND_STREAMS_PER_ACCOUNT_MAX),
    masterKey: loadMasterKey(flags.optionalString('master-key-file'), flags.optionalString('master-key')),
    logger,
  });
  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    server.close().then(writeProfile).then(() => process.exit(0), (err: unknown) => { logger.error('shutdown failed', { err }); process.exit(1); });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

function authMode(value: string): AuthMode {
  if (value !== 'none' && value !== 'sigv4') throw new Error(`--auth must be none or sigv4, not ${value}`);
  return value;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, string>>);
}

function tlsOptions(flags: Flags): Pick<ApiServerOptions, 'tls'> {
  if (flags.optionalString('tls-port') === undefined) return {};
  return {
    tls: {
      port: flags.int('tls-port', 0),
      dir: flags.string('tls-dir', './data/tls'),
      hosts: flags.list('tls-host', []),
      ...optional('certFile', flags.optionalString('tls-cert')),
      ...optional('keyFile', flags.optionalString('tls-key')),
    },
  };
}

main().catch((err: unknown) => {
  createLogger('api').error('api failed to start', { err });
  process.exit(1);
});
