/**
 * Controller process entry: flags (docs/contracts.md; plus
 * --rereplication-grace-sec 30, --reshard-timeout-sec 30,
 * --ondemand-window-sec 60, --ondemand-cooldown-sec 900, --rebalance on|off), the metadata view,
 * the election and reconcile loop, and /healthz + /metrics. SIGTERM and
 * SIGINT resign the election so a standby takes over at once.
 */
import { MetadataStore, DEFAULT_PREFIX } from '@shoal/metadata';
import { Flags, METRICS, counterOf, createLogger, gaugeOf, histogramOf, processRegistry, startOpsServer, wallClockMs } from '@shoal/wire';
import { Controller } from './controller';
import { LeaderEpochTracker, underReplicatedShards } from './cluster-figures';
import { reshardCrashHook } from './reshard-step-hook';
import { ONDEMAND_COOLDOWN_MS, ONDEMAND_WINDOW_MS, REREPLICATION_GRACE_MS, RESHARD_TIMEOUT_MS } from './controller-limits';

const SHUTDOWN_MS_MAX = 5000;

function rebalanceFlag(value: string): boolean {
  if (value !== 'on' && value !== 'off') throw new Error(`--rebalance must be on or off, not ${value}`);
  return value === 'on';
}

async function main(): Promise<void> {
  const flags = new Flags(process.argv.slice(2));
  const id = flags.optionalString('id');
  if (!id) throw new Error('--id is required');
  const log = createLogger('controller', { id });
  const registry = processRegistry();
  const commits = counterOf(METRICS.controllerCommits, registry);
  const active = gaugeOf(METRICS.controllerActive, registry);
  const polls = counterOf(METRICS.ingestPolls, registry);
  const leaderChanges = counterOf(METRICS.leaderChanges, registry);
  const etcdRequests = histogramOf(METRICS.etcdRequestDuration, registry);
  const store = new MetadataStore({
    endpoints: flags.list('etcd', ['http://127.0.0.1:2379']), prefix: flags.string('prefix', DEFAULT_PREFIX),
    onEtcdCall: (method, seconds, outcome) => etcdRequests.observe({ method, outcome }, seconds),
  });
  await store.start();
  const controller = new Controller({
    id, store, log, nowMs: wallClockMs,
    rereplicationGraceMs: flags.int('rereplication-grace-sec', REREPLICATION_GRACE_MS / 1000) * 1000,
    reshardTimeoutMs: flags.int('reshard-timeout-sec', RESHARD_TIMEOUT_MS / 1000) * 1000,
    ondemandWindowMs: flags.int('ondemand-window-sec', ONDEMAND_WINDOW_MS / 1000) * 1000,
    ondemandCooldownMs: flags.int('ondemand-cooldown-sec', ONDEMAND_COOLDOWN_MS / 1000) * 1000,
    rebalance: rebalanceFlag(flags.string('rebalance', 'on')),
    metrics: { commit: (result) => commits.inc({ result }), setActive: (a) => active.set(a ? 1 : 0), shardCounterPoll: (ok) => polls.inc({ result: ok ? 'ok' : 'error' }) },
    reshardStepHook: reshardCrashHook(process.env, log),
  });
  // Cluster figures from the view, reported by the active controller only (so sums over controllers hold).
  const epochs = new LeaderEpochTracker(store.view);
  store.onChange((change) => {
    const started = epochs.observe(change);
    if (started > 0 && controller.active) leaderChanges.inc(started);
  });
  gaugeOf(METRICS.underReplicatedShards, registry, (g) => g.set(controller.active ? underReplicatedShards(store.view) : 0));
  const server = await startOpsServer({
    host: flags.string('host', '127.0.0.1'),
    port: flags.int('http-port', 4800),
    registry,
    health: () => ({ ok: true, role: 'controller', id, active: controller.active, streams: store.view.streams.size, nodes: store.view.nodes.size }),
  });
  controller.start();
  log.info('controller started', { httpPort: flags.int('http-port', 4800) });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    setTimeout(() => process.exit(1), SHUTDOWN_MS_MAX).unref();
    controller.stop()
      .then(() => store.close())
      .then(() => { server.close(); process.exit(0); })
      .catch((err: unknown) => { log.error('shutdown failed', { err }); process.exit(1); });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  createLogger('controller').error('controller failed to start', { err });
  process.exit(1);
});
