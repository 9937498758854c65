/**
 * One scenario end to end: start the link proxies and the cluster in the
 * run folder, create the stream, run the workload (through both api
 * processes) while the fault schedule runs, heal, dump the replicas, final
 * read, then check the history and write the verdict. main.ts brings the
 * cluster down and closes the proxies afterwards (with a watchdog and a
 * sweep of leftover pids around this).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { MetadataStore } from '@shoal/metadata';
import { writeFileSync } from 'node:fs';
import { checkHistory, jsonSafe, type Verdict } from '../check/checker';
import { HISTORY_FILES } from '../history/history-format';
import { readHistory } from '../history/history-reader';
import { HistoryWriter } from '../history/history-writer';
import { kinesisClient } from '../workload/kinesis-clients';
import { runFinalRead } from '../workload/readers';
import { SeededRandom } from '../workload/seeded-random';
import { QUICK_WORKLOAD, startWorkload } from '../workload/workload';
import type { ClusterControl, ClusterPorts } from './cluster-control';
import { sampleEpochs, type EpochSampler } from './epoch-sampler';
import { heal, runSchedule, type InjectorDeps } from './fault-injector';
import { watchProcesses } from './process-watch';
import { dumpReplicas } from './replica-dump';
import type { Scenario } from './scenarios';

const STREAM_ACTIVE_WAIT_MS = 30_000;
const POLL_MS = 200;
/** Writes before the first fault, so the write gap of the first fault has a baseline. */
const WARMUP_MS = 2_000;

export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly durationMs: number;
  readonly folder: string;
  readonly ports: ClusterPorts;
  readonly log: (msg: string) => void;
}

const NODES_WAIT_MS = 30_000;

/** Waits until every storage node of the layout is registered in etcd (placement needs all three AZs). */
async function nodesRegistered(store: MetadataStore, cluster: ClusterControl): Promise<void> {
  const names = cluster.specs.filter((p) => p.role === 'storage-node' && !cluster.isDormant(p.name)).map((p) => p.name);
  const deadline = Date.now() + NODES_WAIT_MS;
  while (!names.every((n) => store.view.nodes.has(n))) {
    if (Date.now() > deadline) throw new Error(`storage nodes not registered after ${NODES_WAIT_MS} ms`);
    await sleep(POLL_MS);
  }
}

async function createStream(client: KinesisClient, streamName: string, shardCount: number): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  const deadline = Date.now() + STREAM_ACTIVE_WAIT_MS;
  while (Date.now() < deadline) {
    const res = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (res.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await sleep(POLL_MS);
  }
  throw new Error(`${streamName} not ACTIVE after ${STREAM_ACTIVE_WAIT_MS} ms`);
}

export async function runScenario(r: ScenarioRun, cluster: ClusterControl): Promise<Verdict> {
  const now = (): number => Date.now();
  const streamName = `chaos-${r.scenario.name}`;
  const history = new HistoryWriter(r.folder);
  const startMs = now();
  const runInfo = {
    seed: r.seed, scenario: r.scenario.name, streamName, startMs, endMs: startMs,
    ...(r.scenario.writeGapP99MsMax !== undefined ? { writeGapP99MsMax: r.scenario.writeGapP99MsMax } : {}),
    settings: {
      durationMs: r.durationMs, workload: QUICK_WORKLOAD, shardCount: r.scenario.shardCount, ports: r.ports, faults: r.scenario.faults,
      net: cluster.netns ? 'netns' : 'proxy', leaseTtlSec: cluster.options.leaseTtlSec, nodeEnv: cluster.options.nodeEnv, endpoints: cluster.clientEndpoints,
      ...(r.scenario.expectedLoss !== undefined ? { expectedLoss: r.scenario.expectedLoss } : {}),
    },
  };
  history.writeRun(runInfo);
  r.log(`cluster up in ${cluster.dataDir}`);
  await cluster.startNet();
  await cluster.up();
  const watch = watchProcesses(cluster, history, now, r.log);
  const security = cluster.clientSecurity();
  const clients = cluster.clientEndpoints.map((e) => kinesisClient(e, undefined, security));
  const store = new MetadataStore({ endpoints: cluster.etcdEndpoints });
  let epochs: EpochSampler | undefined;
  try {
    await store.start();
    await nodesRegistered(store, cluster);
    await createStream(clients[0]!, streamName, r.scenario.shardCount);
    epochs = await sampleEpochs(store, streamName, history, now);
    const random = new SeededRandom(r.seed);
    const steps = r.scenario.schedule(random.fork(), r.durationMs);
    r.log(`workload on ${streamName}; ${steps.length} fault steps over ${r.durationMs} ms`);
    const workload = startWorkload({ streamName, clients, history, now, ...(r.scenario.crossApiReads ? { crossApiReads: true } : {}) }, QUICK_WORKLOAD, random.int(0x100000000));
    await sleep(WARMUP_MS);
    const side = r.scenario.sideLoad?.({ streamName, endpoints: cluster.endpoints, history, now, random: random.fork(), log: r.log });
    const deps: InjectorDeps = { cluster, store, history, streamName, now, log: r.log };
    await runSchedule(deps, steps, () => false);
    await sleep(Math.max(0, startMs + WARMUP_MS + r.durationMs - now()));
    await side?.stop();
    await heal(deps);
    r.log('healed; stopping the workload');
    await workload.stop();
    const endMs = now();
    const convergedOk = await dumpReplicas(cluster.dataDir, streamName, history, now);
    r.log(`replicas ${convergedOk ? 'converged' : 'did not converge'}; final read`);
    const incomplete = await runFinalRead({ streamName, clients, history, now, stopped: () => false }, 0);
    if (incomplete.length > 0) r.log(`final read incomplete: ${incomplete.join(' ')}`);
    history.writeRun({ ...runInfo, endMs });
  } finally {
    epochs?.stop();
    watch.stop();
    history.close();
    await store.close().catch(() => undefined);
    for (const c of clients) c.destroy();
  }
  const verdict = checkHistory(readHistory(r.folder));
  writeFileSync(join(r.folder, HISTORY_FILES.verdict), JSON.stringify(verdict, jsonSafe, 2) + '\n');
  return verdict;
}
