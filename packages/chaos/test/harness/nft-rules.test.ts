import { strict as assert } from 'node:assert';
import type { FaultStep } from '../../src/harness/fault-schedule';
import { proxyOnlyActions, scenariosOnNet } from '../../src/harness/net-faults';
import { baseTableScript, cutScript, droppedPackets, healScript } from '../../src/harness/nft-rules';
import { SCENARIOS } from '../../src/harness/scenarios';

describe('nft rules', () => {
  it('the base table has an input and an output chain that accept by default, and replaces an older table', () => {
    const s = baseTableScript();
    assert.match(s, /^table inet shoal_chaos\ndelete table inet shoal_chaos\ntable inet shoal_chaos \{/);
    assert.match(s, /chain input \{ type filter hook input priority 0; policy accept; \}/);
    assert.match(s, /chain output \{ type filter hook output priority 0; policy accept; \}/);
  });

  it('a cut drops by destination going out and by source coming in, per direction', () => {
    const peers = ['10.99.0.32/28', '10.99.0.2'];
    assert.equal(cutScript(peers, 'both'),
      'add rule inet shoal_chaos output ip daddr { 10.99.0.32/28, 10.99.0.2 } counter drop\n'
      + 'add rule inet shoal_chaos input ip saddr { 10.99.0.32/28, 10.99.0.2 } counter drop\n');
    assert.equal(cutScript(peers, 'outgoing'), 'add rule inet shoal_chaos output ip daddr { 10.99.0.32/28, 10.99.0.2 } counter drop\n');
    assert.equal(cutScript(peers, 'incoming'), 'add rule inet shoal_chaos input ip saddr { 10.99.0.32/28, 10.99.0.2 } counter drop\n');
    assert.throws(() => cutScript([], 'both'), /at least one peer/);
    assert.throws(() => cutScript(['10.99.0.2; flush ruleset'], 'both'), /not an IPv4 address/);
  });

  it('heal flushes both chains; dropped packets are summed from the counters of a listing', () => {
    assert.equal(healScript(), 'flush chain inet shoal_chaos input\nflush chain inet shoal_chaos output\n');
    const listing = [
      'table inet shoal_chaos {', '\tchain input {', '\t\ttype filter hook input priority filter; policy accept;',
      '\t\tip saddr { 10.99.0.2, 10.99.0.32/28 } counter packets 12 bytes 720 drop', '\t}', '\tchain output {',
      '\t\tip daddr { 10.99.0.2, 10.99.0.32/28 } counter packets 30 bytes 1800 drop', '\t}', '}',
    ].join('\n');
    assert.equal(droppedPackets(listing), 42);
    assert.equal(droppedPackets('table inet shoal_chaos {\n}'), 0);
  });

  it('netns mode leaves out scenarios that need the proxies, and refuses one named explicitly', () => {
    const steps: FaultStep[] = [{ atMs: 0, action: 'degrade-az', az: 'az-a', delayMs: 100 }, { atMs: 1, action: 'reset-az', az: 'az-a' }, { atMs: 2, action: 'partition-az', az: 'az-a' }];
    assert.deepEqual(proxyOnlyActions(steps), ['degrade-az', 'reset-az']);
    const logged: string[] = [];
    const full = SCENARIOS.filter((s) => s.tiers.includes('full'));
    const kept = scenariosOnNet('netns', full, 7, undefined, (m) => logged.push(m)).map((s) => s.name);
    assert.ok(!kept.includes('slow-flaky-links') && kept.includes('zombie-leader') && kept.includes('az-partition'));
    assert.equal(kept.length, full.length - logged.length);
    assert.match(logged.join('\n'), /slow-flaky-links needs --net proxy \(degrade-az, reset-az/);
    const slow = SCENARIOS.filter((s) => s.name === 'slow-flaky-links');
    assert.throws(() => scenariosOnNet('netns', slow, 7, 'slow-flaky-links', () => undefined), /slow-flaky-links needs --net proxy/);
    assert.equal(scenariosOnNet('proxy', full, 7, undefined, () => undefined).length, full.length);
  });
});
