/**
 * Entry point of the api process (flags in docs/contracts.md):
 *   --host 127.0.0.1 --port 4567 --etcd http://127.0.0.1:2379 --prefix /shoal/
 *   --region us-east-1 --account-id 000000000000
 *   --control-rate-limit on|off   (Kinesis' per-account control-plane rates; default on)
 *   --update-shard-count-per-day 10   (UpdateShardCount calls per stream in 24 hours)
 */
import { limits } from '@shoal/core';
import { DEFAULT_PREFIX } from '@shoal/metadata';
import { createLogger, Flags, startCpuProfileFromEnv, tuneHeapForBufferChurn } from '@shoal/wire';
import { startApiServer } from './api-server';

const SHUTDOWN_GRACE_MS = 5_000;

async function main(): Promise<void> {
  const writeProfile = startCpuProfileFromEnv('api');
  tuneHeapForBufferChurn();
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

main().catch((err: unknown) => {
  createLogger('api').error('api failed to start', { err });
  process.exit(1);
});
