import { strict as assert } from 'node:assert';
import { AZS, azPartition } from '../../src/harness/fault-schedule';
import { SCENARIOS } from '../../src/harness/scenarios';
import { SeededRandom } from '../../src/workload/seeded-random';

describe('az-partition', () => {
  it('cuts one seeded AZ at the start offset and heals the links after the partition', () => {
    const steps = azPartition(new SeededRandom(2), 3_000, 20_000);
    assert.deepEqual(steps.map((s) => [s.atMs, s.action]), [[3_000, 'partition-az'], [23_000, 'heal-links']]);
    assert.deepEqual(azPartition(new SeededRandom(2), 3_000, 20_000), steps);
    const cut = new Set(Array.from({ length: 30 }, (_, seed) => azPartition(new SeededRandom(seed), 0, 1)[0]).map((s) => (s as { az: string }).az));
    assert.deepEqual([...cut].sort(), [...AZS]);
  });

  it('is a full-tier scenario whose bound is the partition length', () => {
    const s = SCENARIOS.find((x) => x.name === 'az-partition')!;
    assert.deepEqual(s.tiers, ['full']);
    assert.equal(s.writeGapP99MsMax, 20_000);
    assert.deepEqual(s.schedule(new SeededRandom(1), s.durationMsDefault).map((x) => x.action), ['partition-az', 'heal-links']);
  });
});
