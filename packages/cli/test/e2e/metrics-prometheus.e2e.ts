/**
 * Metrics end to end: a real Prometheus (Debian's) scrapes a running
 * three-AZ cluster (write limits on) every second while the AWS SDK drives
 * it: PutRecord and PutRecords past the shard write limit (throttled
 * records), GetRecords past the read limit, an enhanced fan-out consumer
 * with a refused second subscription, tag changes (etcd writes), and
 * enhanced monitoring on. Then:
 * promtool accepts deploy/monitoring's configurations and rules and every
 * process' /metrics; every process exports exactly the metric table's
 * names, types and labels for its kind; and every PromQL expression of the
 * Grafana dashboard returns data.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AddTagsToStreamCommand, CreateStreamCommand, DescribeStreamSummaryCommand, EnableEnhancedMonitoringCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient,
  ListShardsCommand, PutRecordCommand, PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { METRIC_TABLE, RUNTIME_METRIC_PREFIXES, type MetricComponent } from '@shoal/wire';
import { ClusterHarness } from './cluster-harness';
import { waitActive } from './kinesis-helpers';
import { activeConsumer, subscribeOnce } from './fanout-helpers';
import {
  MONITORING_DIR, PrometheusProcess, RULES_FILE, dashboardExpressions, metricNamesIn, parseExposition, promtool, ruleExpressions, withVariables, writeConfig,
} from './prometheus-harness';

const CREDENTIALS = { accessKeyId: 'AKIDSHOALMETRICS', secretAccessKey: 'shoal-e2e-secret' };
const REGION = 'us-east-1';
const API_PORT = Number(process.env['SHOAL_E2E_METRICS_API_PORT'] ?? 27567);
/** Prometheus' own port: outside the cluster's (etcd -188, nodes and controllers +33..+250). */
const PROMETHEUS_PORT = API_PORT + 400;
const STREAM = 'metrics-e2e';
const CONSUMER = 'dashboard-app';
/** How long the writers, readers and the subscription run (Prometheus scrapes every second meanwhile). */
const LOAD_MS = 20_000;
/** PutRecords per call: 1000 records/s is a shard's write limit, so a few calls a second to one shard throttle. */
const BATCH_RECORDS = 500;
const RECORD_BYTES = 100;
/** Kinesis' 5 GetRecords calls per second per shard: this many at once are throttled. */
const GET_RECORDS_BURST = 8;
const SCRAPE_SETTLE_MS = 3_000;
const TAG_KEYS = 5;
const TAG_INTERVAL_MS = 500;
const TARGETS_WAIT_MS = 30_000;

describe('metrics on a real Prometheus, with the dashboard and the alert rules', function () {
  this.timeout(240_000);
  const cluster = new ClusterHarness({ apiPort: API_PORT, upArgs: ['--limits', 'on'] });
  const promDir = mkdtempSync(join(tmpdir(), 'shoal-prometheus-'));
  let client: KinesisClient;
  let prometheus: PrometheusProcess | undefined;
  /** /metrics URL of every process, by kind. */
  const endpoints: Array<{ kind: MetricComponent; url: string }> = [];

  async function load(shardIds: readonly string[], consumerArn: string): Promise<void> {
    const until = Date.now() + LOAD_MS;
    const data = Buffer.alloc(RECORD_BYTES, 7);
    const hot = shardIds[0]!;
    const writer = async (): Promise<void> => {
      // All to one shard (the lowest hash keys): past its write limit, so records are throttled.
      while (Date.now() < until) {
        await client.send(new PutRecordsCommand({ StreamName: STREAM, Records: Array.from({ length: BATCH_RECORDS }, (_, i) => ({ PartitionKey: `k${i}`, ExplicitHashKey: '0', Data: data })) }));
        await client.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: 'single', Data: data })).catch(() => undefined);
      }
    };
    const reader = async (): Promise<void> => {
      let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: hot, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      while (Date.now() < until && iterator) {
        const pages = await Promise.allSettled(Array.from({ length: GET_RECORDS_BURST }, () => client.send(new GetRecordsCommand({ ShardIterator: iterator!, Limit: 200 }))));
        const next = pages.find((p) => p.status === 'fulfilled');
        if (next?.status === 'fulfilled') iterator = next.value.NextShardIterator;
        await sleep(1_000);
      }
    };
    const subscriber = async (): Promise<void> => {
      const first = subscribeOnce(client, consumerArn, hot, { Type: 'TRIM_HORIZON' }, () => Date.now() >= until);
      await sleep(1_000);
      // A second subscription of the same consumer to the same shard is refused (SubscribeToShard.RateExceeded).
      const second = await subscribeOnce(client, consumerArn, hot, { Type: 'LATEST' }, () => true);
      assert.equal(second.error?.name, 'ResourceInUseException');
      const got = await first;
      assert.ok(got.events.some((e) => e.records.length > 0), 'the subscription received records');
    };
    const tagger = async (): Promise<void> => {
      // Control-plane traffic: each tag change is an etcd transaction (etcd request latency).
      for (let i = 0; Date.now() < until; i++) {
        await client.send(new AddTagsToStreamCommand({ StreamName: STREAM, Tags: { [`t${i % TAG_KEYS}`]: String(i) } }));
        await sleep(TAG_INTERVAL_MS);
      }
    };
    await Promise.all([writer(), reader(), subscriber(), tagger()]);
  }

  before(async function () {
    this.timeout(180_000);
    cluster.up();
    client = new KinesisClient({ endpoint: cluster.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    const status = cluster.status();
    const hostPort = (url: string): string => new URL(url).host;
    const nodes = status.nodes.map((n) => n.httpAddress);
    const controllers = status.processes.filter((p) => p.role === 'controller').map((p) => p.address);
    assert.equal(nodes.length, 3);
    assert.ok(controllers.length >= 1);
    endpoints.push({ kind: 'api', url: `${cluster.endpoint}/metrics` }, ...nodes.map((u) => ({ kind: 'storage-node' as const, url: `${u}/metrics` })),
      ...controllers.map((u) => ({ kind: 'controller' as const, url: `${u}/metrics` })));
    const configFile = writeConfig(promDir, {
      'shoal-api': [hostPort(cluster.endpoint)], 'shoal-storage-node': nodes.map(hostPort), 'shoal-controller': controllers.map(hostPort),
    });
    const checked = await promtool(['check', 'config', configFile]);
    assert.equal(checked.code, 0, checked.output);
    prometheus = new PrometheusProcess(configFile, join(promDir, 'data'), PROMETHEUS_PORT);
    await prometheus.ready();

    await client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 }));
    await waitActive(client, STREAM);
    await client.send(new EnableEnhancedMonitoringCommand({ StreamName: STREAM, ShardLevelMetrics: ['ALL'] }));
    const streamArn = (await client.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }))).StreamDescriptionSummary!.StreamARN!;
    const shardIds = ((await client.send(new ListShardsCommand({ StreamName: STREAM }))).Shards ?? []).map((s) => s.ShardId!);
    const consumerArn = await activeConsumer(client, streamArn, CONSUMER);
    await load(shardIds, consumerArn);
    await sleep(SCRAPE_SETTLE_MS);
  });

  after(async function () {
    this.timeout(60_000);
    client?.destroy();
    await prometheus?.stop();
    rmSync(promDir, { recursive: true, force: true });
    cluster.destroy();
  });

  it('scrapes every process', async () => {
    const deadline = Date.now() + TARGETS_WAIT_MS;
    for (;;) {
      const targets = await prometheus!.targets();
      const down = targets.filter((t) => t.health !== 'up');
      if (targets.length === endpoints.length && down.length === 0) break;
      if (Date.now() > deadline) assert.fail(`targets not all up: ${JSON.stringify(targets)}`);
      await sleep(500);
    }
  });

  it('promtool accepts the deploy configurations, the alert rules and every process\' exposition', async () => {
    for (const file of ['prometheus-compose.yml', 'prometheus-k8s.yml']) {
      const r = await promtool(['check', 'config', join(MONITORING_DIR, file)]);
      assert.equal(r.code, 0, `${file}: ${r.output}`);
    }
    const rules = await promtool(['check', 'rules', RULES_FILE]);
    assert.equal(rules.code, 0, rules.output);
    for (const e of endpoints) {
      const text = await (await fetch(e.url)).text();
      const r = await promtool(['check', 'metrics'], text);
      assert.equal(r.code, 0, `${e.url}: ${r.output}`);
    }
  });

  it('every process exports exactly the table\'s metrics for its kind, with the table\'s types and labels', async () => {
    for (const e of endpoints) {
      const exposed = parseExposition(await (await fetch(e.url)).text());
      const mine = METRIC_TABLE.filter((m) => m.components.includes(e.kind));
      for (const m of mine) {
        const family = exposed.get(m.name);
        assert.ok(family, `${e.kind} ${e.url} exports ${m.name}`);
        assert.equal(family.type, m.type, `${m.name} type`);
        const want = [...m.labels].sort().join(',');
        for (const set of family.labelSets) assert.equal(set, want, `${e.kind} ${m.name} labels`);
      }
      const known = new Set(mine.map((m) => m.name));
      const extra = [...exposed.keys()].filter((name) => !known.has(name) && !RUNTIME_METRIC_PREFIXES.some((p) => name.startsWith(p)));
      assert.deepEqual(extra, [], `${e.kind} ${e.url} exports only the table's metrics (and prom-client's runtime ones)`);
      assert.ok(exposed.has('process_cpu_seconds_total'), `${e.kind} exports the runtime metrics`);
    }
  });

  it('the dashboard and the alert rules name only the table\'s metrics, and the table\'s metrics all appear on the dashboard', () => {
    const table = new Set(METRIC_TABLE.map((m) => m.name));
    const onDashboard = new Set(dashboardExpressions().flatMap((q) => metricNamesIn(q.expr)));
    for (const name of onDashboard) assert.ok(table.has(name), `dashboard names ${name}, not in the table`);
    for (const r of ruleExpressions()) for (const name of metricNamesIn(r.expr)) assert.ok(table.has(name), `rule ${r.alert} names ${name}, not in the table`);
    assert.deepEqual([...table].filter((n) => !onDashboard.has(n)), [], 'every table metric is on the dashboard');
  });

  it('every PromQL expression of the dashboard returns data from the scraped cluster', async () => {
    const empty: string[] = [];
    for (const q of dashboardExpressions()) {
      const result = await prometheus!.query(withVariables(q.expr));
      if (!result.some((r) => Number.isFinite(Number(r.value[1])))) empty.push(`${q.panel}: ${q.expr}`);
    }
    assert.deepEqual(empty, [], 'queries without a finite value');
  });

  it('every alert rule evaluates, and the load set off the throttling alerts\' conditions', async () => {
    for (const r of ruleExpressions()) await prometheus!.query(r.expr);
    const throttled = await prometheus!.query(`sum(rate(kinesis_write_provisioned_throughput_exceeded_total{stream="${STREAM}"}[1m]))`);
    assert.ok(Number(throttled[0]?.value[1]) > 0, 'writes were throttled');
    const readThrottled = await prometheus!.query(`sum(rate(kinesis_shard_read_provisioned_throughput_exceeded_total{stream="${STREAM}"}[1m]))`);
    assert.ok(Number(readThrottled[0]?.value[1]) > 0, 'reads were throttled (shard level)');
    const rateExceeded = await prometheus!.query(`sum(kinesis_subscribe_to_shard_rate_exceeded_total{stream="${STREAM}",consumer="${CONSUMER}"})`);
    assert.equal(Number(rateExceeded[0]?.value[1]), 1);
  });

  it('the cluster figures add up: replicas, ISR sizes, fsyncs, and the autoscaler\'s typed ShardCounters calls', async () => {
    const value = async (expr: string): Promise<number> => Number((await prometheus!.query(expr))[0]?.value[1]);
    assert.equal(await value('sum(shoal_node_replicas)'), 6, 'two shards, three replicas each');
    assert.equal(await value('sum(shoal_leader_shards{isr_size="3"})'), 2);
    assert.equal(await value('sum(shoal_under_replicated_shards)'), 0);
    assert.equal(await value('count(shoal_node_info)'), 3);
    assert.ok(await value('sum(shoal_storage_fsync_duration_seconds_count)') > 0, 'the periodic log sync was timed');
    assert.ok(await value('sum(shoal_controller_ingest_polls_total{result="ok"})') > 0, 'the active controller read the nodes\' counters');
  });
});
