/**
 * The seeded replication simulation in CI: SIM_SEEDS seeds (default 2000)
 * of SIM_STEPS random steps each, zero invariant violations. A failure
 * names its seed; replay it with
 *   node packages/core/dist/test/replication/sim/run-sim.js --seed N
 */
import * as assert from 'node:assert/strict';
import { simulate } from './sim/simulate';

const SEEDS = Number(process.env['SIM_SEEDS'] ?? 2000);
const STEPS = Number(process.env['SIM_STEPS'] ?? 400);

describe('replication/simulation', function () {
  this.timeout(600_000);
  it(`${SEEDS} seeds x ${STEPS} steps: no invariant violated, every run converges after healing`, () => {
    let acked = 0;
    let failovers = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = simulate(seed, STEPS);
      assert.equal(r.violation, undefined, `seed ${seed}: ${r.violation} (replay: node packages/core/dist/test/replication/sim/run-sim.js --seed ${seed} --steps ${STEPS})`);
      acked += r.acked;
      failovers += r.epochs - 1;
    }
    assert.ok(acked > SEEDS, `the runs acknowledge records (${acked})`);
    assert.ok(failovers > SEEDS / 4, `the runs fail over (${failovers})`);
  });
});
