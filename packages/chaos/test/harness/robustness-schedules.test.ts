import { strict as assert } from 'node:assert';
import { clockSkew, CLOCK_SKEW_MS, nodeReplacement, replacedNode } from '../../src/harness/robustness-schedules';
import { SeededRandom } from '../../src/workload/seeded-random';

describe('robustness schedules', () => {
  it('clock-skew: a +30 s leader, a -30 s controller, then kills of that shard and another, the same for the same seed', () => {
    const steps = clockSkew(new SeededRandom(5), 36_000);
    assert.deepEqual(steps, clockSkew(new SeededRandom(5), 36_000));
    const skew = steps.find((s) => s.action === 'skew-shard-leader');
    assert.ok(skew && skew.action === 'skew-shard-leader' && skew.offsetMs === CLOCK_SKEW_MS);
    assert.ok(steps.some((s) => s.action === 'skew-controller' && s.offsetMs === -CLOCK_SKEW_MS));
    const kills = steps.filter((s) => s.action === 'kill-shard-leader');
    assert.equal(kills.length, 2);
    assert.equal(kills[0]!.action === 'kill-shard-leader' && kills[0]!.pick, skew.pick, 'the skewed shard loses its leader first');
    assert.ok(steps.every((s, i) => i === 0 || s.atMs >= steps[i - 1]!.atMs));
    assert.ok(clockSkew(new SeededRandom(5), 20_000).every((s) => s.atMs < 20_000));
  });

  it('node-replacement: the replacement is the same AZ\'s second node; every api killed and restarted within the phase', () => {
    for (let seed = 1; seed < 20; seed++) {
      const { target, replacement } = replacedNode(new SeededRandom(seed));
      assert.match(target, /^[abc]1$/);
      assert.equal(replacement, `${target[0]}2`);
    }
    const steps = nodeReplacement('b1', 'b2', 42_000);
    assert.deepEqual(steps[0], { atMs: 3_000, action: 'replace-node', target: 'b1', replacement: 'b2' });
    const signals = steps.filter((s) => s.action === 'signal');
    assert.deepEqual(signals.map((s) => s.action === 'signal' && `${s.target}:${s.signal}`), ['api:SIGKILL', 'api-2:SIGKILL', 'api:SIGTERM', 'api-2:SIGTERM']);
    assert.equal(steps.filter((s) => s.action === 'restart').length, 4);
    assert.ok(steps.every((s) => s.atMs < 42_000));
  });
});
