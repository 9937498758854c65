/**
 * Command line for the replication simulation (after `npx tsc -b packages/chaos`):
 *
 *   node packages/chaos/dist/src/sim/run-sim.js --seeds 20000 [--from 1] [--steps 400]
 *   node packages/chaos/dist/src/sim/run-sim.js --seed 1234 [--steps 400]   (prints the trace)
 *
 * Exits 1 on the first violation, printing its seed for replay.
 */
import { simulate } from './simulate';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const steps = arg('steps', 400);
  const one = arg('seed', -1);
  if (one >= 0) {
    const r = await simulate(one, steps, true);
    process.stdout.write(`${r.trace.join('\n')}\n\nseed ${one}: ${r.violation ?? 'ok'} (steps ${r.steps}, acked ${r.acked}, epochs ${r.epochs})\n`);
    process.exitCode = r.violation ? 1 : 0;
    return;
  }
  const from = arg('from', 1);
  const seeds = arg('seeds', 2000);
  const started = Date.now();
  let acked = 0;
  for (let seed = from; seed < from + seeds; seed++) {
    const r = await simulate(seed, steps);
    acked += r.acked;
    if (r.violation) {
      process.stdout.write(`seed ${seed} FAILED: ${r.violation}\nreplay: node ${process.argv[1]} --seed ${seed} --steps ${steps}\n`);
      process.exit(1);
    }
  }
  process.stdout.write(`${seeds} seeds from ${from}: ${acked} acknowledged records, 0 violations, ${Date.now() - started} ms\n`);
}

void main();
