#!/usr/bin/env node
/**
 * `npm run chaos -- --tier quick|full ...` (USAGE below; --help prints it)
 *
 * Runs the tier's scenarios one after another in one tier folder
 * (OUT/<tier>-seed<N>-<time>/), each in its own results folder (history,
 * fault log, verdict, the cluster's data and logs), prints the seed (the
 * same seed replays the same fault schedule and workload keys), a verdict
 * per scenario and a one-screen summary table (also summary.md/.json),
 * and exits 1 if any scenario failed. A watchdog bounds each scenario;
 * every cluster process is stopped at the end, leftovers by pid (only
 * pids whose command line is ours), and the link proxies are closed (or,
 * with --net netns, the namespaces and bridge removed: net-faults.ts).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Flags } from '@shoal/wire';
import { formatVerdict } from '../check/checker';
import { ClusterControl, type ClusterOptions, type ClusterPorts } from './cluster-control';
import { scenariosOnNet, type NetMode } from './net-faults';
import { NetnsNet } from './netns-net';
import { runScenario } from './run-scenario';
import { scenariosFor, type Scenario } from './scenarios';
import { abortedRow, rowOf, terminalTable, writeSummary, type SummaryRow } from './summary';

/** Scenario time beyond its fault phase (start, heal, final read, check) before the watchdog fires. */
const WATCHDOG_SLACK_MS = 180_000;
const SEED_MAX = 2 ** 31;
const LINK_PORTS = 100;
const LEASE_TTL_SEC_DEFAULT = 3;
const NETNS_PREFIX_DEFAULT = 'shoal';
const NETNS_SUBNET_DEFAULT = '10.201.0.0/24';

const log = (msg: string): void => { process.stderr.write(`chaos: ${new Date().toISOString().slice(11, 23)} ${msg}\n`); };

async function sweep(cluster: ClusterControl): Promise<void> {
  await cluster.down().catch((err: Error) => log(`cluster down failed: ${err.message}`));
  for (const p of cluster.running()) {
    log(`still running after down: ${p.name} pid ${p.pid}; SIGKILL`);
    cluster.signal(p.name, 'SIGKILL');
  }
  await cluster.closeNet().catch((err: Error) => log(`network close failed: ${err.message}`));
}

/** The cluster of the scenario in progress, for the SIGINT/SIGTERM handler. */
let current: ClusterControl | undefined;

function onSignal(sig: NodeJS.Signals): void {
  log(`${sig}: stopping the cluster`);
  void (current ? sweep(current) : Promise.resolve()).finally(() => process.exit(130));
}

interface TierRun {
  readonly seed: number;
  readonly tierFolder: string;
  readonly ports: ClusterPorts;
  readonly options: ClusterOptions;
}

async function runOne(t: TierRun, scenario: Scenario, durationMs: number): Promise<SummaryRow> {
  const name = scenario.name;
  const folder = join(t.tierFolder, name);
  mkdirSync(folder, { recursive: true });
  const cluster = new ClusterControl(join(folder, 'cluster'), t.ports, { ...t.options, ...scenario.cluster });
  current = cluster;
  log(`${name}: seed ${t.seed}, results in ${folder}`);
  let watchdog: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    watchdog = setTimeout(() => reject(new Error(`watchdog: ${name} exceeded ${durationMs + WATCHDOG_SLACK_MS} ms`)), durationMs + WATCHDOG_SLACK_MS);
  });
  try {
    const verdict = await Promise.race([runScenario({ scenario, seed: t.seed, durationMs, folder, ports: t.ports, log }, cluster), timedOut]);
    process.stdout.write(`\n${formatVerdict(verdict)}\nresults: ${folder}\nre-check: node packages/chaos/dist/src/check.js ${folder}\n`);
    return rowOf(verdict, name);
  } catch (err) {
    log(`${name} aborted: ${(err as Error).message}`);
    return abortedRow(name, scenario.faults, name);
  } finally {
    clearTimeout(watchdog);
    await sweep(cluster);
    current = undefined;
  }
}

const USAGE = `usage: npm run chaos -- --tier quick|full [--seed N] [--scenario NAME] [--duration-sec S] [--out DIR]
  [--lease-ttl-sec 3] [--etcd-members 1|3] [--unsafe-ack-on-leader-append] [--api-port 28567 --etcd-port 28379
  --port-base 28600 --link-port-first 28900] [--net proxy|netns --netns-prefix shoal --netns-subnet 10.201.0.0/24]
  (docs/chaos.md)`;

async function main(): Promise<number> {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const flags = new Flags(process.argv.slice(2));
  const tier = flags.string('tier', 'quick');
  const seed = flags.int('seed', Math.floor(Math.random() * SEED_MAX));
  const only = flags.string('scenario', '') || undefined;
  const out = resolve(flags.string('out', join(tmpdir(), 'shoal-chaos')));
  const linkPortFirst = flags.int('link-port-first', 28900);
  const ports: ClusterPorts = {
    apiPort: flags.int('api-port', 28567), etcdPort: flags.int('etcd-port', 28379), portBase: flags.int('port-base', 28600),
    linkPortFirst, linkPortLast: linkPortFirst + LINK_PORTS - 1,
  };
  const unsafe = flags.bool('unsafe-ack-on-leader-append', false);
  const net = flags.string('net', 'proxy') as NetMode;
  if (net !== 'proxy' && net !== 'netns') throw new Error(`--net must be proxy or netns, not ${String(net)}`);
  const netnsPrefix = flags.string('netns-prefix', NETNS_PREFIX_DEFAULT);
  const options: ClusterOptions = {
    leaseTtlSec: flags.int('lease-ttl-sec', LEASE_TTL_SEC_DEFAULT),
    nodeEnv: unsafe ? { SHOAL_UNSAFE_ACK_ON_LEADER_APPEND: '1' } : {},
    ...(flags.optionalString('etcd-members') !== undefined ? { etcdMembers: flags.int('etcd-members', 1) } : {}),
    ...(net === 'netns' ? { netns: { prefix: netnsPrefix, subnet: flags.string('netns-subnet', NETNS_SUBNET_DEFAULT), log } } : {}),
  };
  const scenarios = scenariosOnNet(net, scenariosFor(tier, only), seed, only, log);
  if (net === 'netns') await NetnsNet.preflight(netnsPrefix);
  const label = `${only ?? tier}${unsafe ? '-UNSAFE' : ''}${net === 'netns' ? '-netns' : ''}-seed${seed}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const tierFolder = join(out, label);
  mkdirSync(tierFolder, { recursive: true });
  log(`tier ${tier}, seed ${seed}${unsafe ? ', TEST-ONLY UNSAFE ACK ON LEADER APPEND' : ''}, results in ${tierFolder}`);
  const rows: SummaryRow[] = [];
  const startMs = Date.now();
  for (const scenario of scenarios) {
    const durationMs = flags.int('duration-sec', scenario.durationMsDefault / 1000) * 1000;
    rows.push(await runOne({ seed, tierFolder, ports, options }, scenario, durationMs));
  }
  const ok = rows.every((r) => r.pass);
  const minutes = ((Date.now() - startMs) / 60_000).toFixed(1);
  const replay = `npm run chaos -- ${only ? `--scenario ${only}` : `--tier ${tier}`} --seed ${seed}${unsafe ? ' --unsafe-ack-on-leader-append' : ''}${options.etcdMembers !== undefined ? ` --etcd-members ${options.etcdMembers}` : ''}${net === 'netns' ? ' --net netns' : ''}`;
  writeSummary(tierFolder, rows, `Seed ${seed}, ${only ?? tier} tier${unsafe ? ' (TEST-ONLY unsafe ack)' : ''}, ${minutes} min. Reproduce: \`${replay}\``);
  process.stdout.write(`\n${terminalTable(rows)}\n\n${ok ? 'PASS' : 'FAIL'} in ${minutes} min; results ${tierFolder}\nreplay: ${replay}\n`);
  return ok ? 0 : 1;
}

process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
// Exit explicitly: after a watchdog abort, the abandoned scenario's tasks would keep the process alive.
main().then((code) => process.exit(code), (err: Error) => { log(err.stack ?? err.message); process.exit(2); });
