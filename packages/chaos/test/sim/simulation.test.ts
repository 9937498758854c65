/**
 * The seeded replication simulation in CI (src/sim/): SIM_SEEDS seeds
 * (default 2000) of SIM_STEPS random steps each over the real storage node
 * (node driver, replicas, store over an in-memory log, controller plans),
 * zero invariant violations, every run converging after healing. A failure
 * names its seed; replay it with
 *   node packages/chaos/dist/src/sim/run-sim.js --seed N
 */
import * as assert from 'node:assert/strict';
import { simulate } from '../../src/sim/simulate';

const SEEDS = Number(process.env['SIM_SEEDS'] ?? 2000);
const STEPS = Number(process.env['SIM_STEPS'] ?? 400);

describe('replication simulation over the real storage node', function () {
  this.timeout(900_000);
  it(`${SEEDS} seeds x ${STEPS} steps: no invariant violated, every run converges after healing`, async () => {
    let acked = 0;
    let failovers = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = await simulate(seed, STEPS);
      assert.equal(r.violation, undefined, `seed ${seed}: ${r.violation} (replay: node packages/chaos/dist/src/sim/run-sim.js --seed ${seed} --steps ${STEPS})`);
      acked += r.acked;
      failovers += r.epochs - 1;
    }
    assert.ok(acked > SEEDS * 5, `the runs acknowledge records (${acked})`);
    assert.ok(failovers > SEEDS / 2, `the runs fail over (${failovers})`);
  });
});
