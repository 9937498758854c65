import { strict as assert } from 'node:assert';
import { leaderKillLoop } from '../../src/harness/fault-schedule';
import { SeededRandom } from '../../src/workload/seeded-random';

describe('fault schedule', () => {
  it('leader-kill-loop: a kill every period, a restart after each, the same for the same seed', () => {
    const a = leaderKillLoop(new SeededRandom(42), 45_000, 10_000, 3_000);
    assert.deepEqual(a.map((s) => [s.atMs, s.action]), [
      [10_000, 'kill-shard-leader'], [13_000, 'restart'], [20_000, 'kill-shard-leader'], [23_000, 'restart'],
      [30_000, 'kill-shard-leader'], [33_000, 'restart'], [40_000, 'kill-shard-leader'], [43_000, 'restart'],
    ]);
    assert.deepEqual(leaderKillLoop(new SeededRandom(42), 45_000, 10_000, 3_000), a);
    assert.notDeepEqual(leaderKillLoop(new SeededRandom(43), 45_000, 10_000, 3_000), a);
  });
});
