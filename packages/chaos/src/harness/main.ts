#!/usr/bin/env node
/**
 * `npm run chaos -- --tier quick --seed N [--scenario NAME] [--duration-sec S] [--out DIR]
 *  [--api-port 28567 --etcd-port 28379 --port-base 28600]`
 *
 * Runs the tier's scenarios one after another, each in its own results
 * folder (history, fault log, verdict, the cluster's data and logs), prints
 * the seed (the same seed replays the same fault schedule and workload
 * keys) and a one-screen summary per scenario, and exits 1 if any failed.
 * A watchdog bounds each scenario; every cluster process is stopped at the
 * end, leftovers by pid (only pids whose command line is ours).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Flags } from '@shoal/wire';
import { formatVerdict } from '../check/checker';
import { ClusterControl, type ClusterPorts } from './cluster-control';
import { runScenario } from './run-scenario';
import { scenariosFor, type Scenario } from './scenarios';

/** Scenario time beyond its fault phase (start, heal, final read, check) before the watchdog fires. */
const WATCHDOG_SLACK_MS = 240_000;
const SEED_MAX = 2 ** 31;

const log = (msg: string): void => { process.stderr.write(`chaos: ${msg}\n`); };

async function sweep(cluster: ClusterControl): Promise<void> {
  for (const p of cluster.processes()) cluster.signal(p.name, 'SIGCONT');
  await cluster.down().catch((err: Error) => log(`cluster down failed: ${err.message}`));
  for (const p of cluster.running()) {
    log(`still running after down: ${p.name} pid ${p.pid}; SIGKILL`);
    cluster.signal(p.name, 'SIGKILL');
  }
}

/** The cluster of the scenario in progress, for the SIGINT/SIGTERM handler. */
let current: ClusterControl | undefined;

function onSignal(sig: NodeJS.Signals): void {
  log(`${sig}: stopping the cluster`);
  void (current ? sweep(current) : Promise.resolve()).finally(() => process.exit(130));
}

async function runOne(scenario: Scenario, seed: number, durationMs: number, out: string, ports: ClusterPorts): Promise<boolean> {
  const folder = join(out, `${scenario.name}-seed${seed}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(folder, { recursive: true });
  const cluster = new ClusterControl(join(folder, 'cluster'), ports);
  current = cluster;
  log(`${scenario.name}: seed ${seed}, results in ${folder}`);
  let watchdog: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    watchdog = setTimeout(() => reject(new Error(`watchdog: ${scenario.name} exceeded ${durationMs + WATCHDOG_SLACK_MS} ms`)), durationMs + WATCHDOG_SLACK_MS);
  });
  try {
    const verdict = await Promise.race([runScenario({ scenario, seed, durationMs, folder, ports, log }, cluster), timedOut]);
    process.stdout.write(`\n${formatVerdict(verdict)}\nresults: ${folder}\nreplay: npm run chaos -- --scenario ${scenario.name} --seed ${seed} --duration-sec ${durationMs / 1000}\n`);
    return verdict.pass;
  } catch (err) {
    log(`${scenario.name} aborted: ${(err as Error).message}`);
    return false;
  } finally {
    clearTimeout(watchdog);
    await sweep(cluster);
    current = undefined;
  }
}

async function main(): Promise<number> {
  const flags = new Flags(process.argv.slice(2));
  const tier = flags.string('tier', 'quick');
  const seed = flags.int('seed', Math.floor(Math.random() * SEED_MAX));
  const only = flags.string('scenario', '') || undefined;
  const out = resolve(flags.string('out', join(tmpdir(), 'shoal-chaos')));
  const ports: ClusterPorts = { apiPort: flags.int('api-port', 28567), etcdPort: flags.int('etcd-port', 28379), portBase: flags.int('port-base', 28600) };
  log(`tier ${tier}, seed ${seed}`);
  let ok = true;
  for (const scenario of scenariosFor(tier, only)) {
    const durationMs = flags.int('duration-sec', scenario.durationMsDefault / 1000) * 1000;
    ok = (await runOne(scenario, seed, durationMs, out, ports)) && ok;
  }
  log(`${ok ? 'PASS' : 'FAIL'} (seed ${seed})`);
  return ok ? 0 : 1;
}

process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
// Exit explicitly: after a watchdog abort, the abandoned scenario's tasks would keep the process alive.
main().then((code) => process.exit(code), (err: Error) => { log(err.stack ?? err.message); process.exit(2); });
