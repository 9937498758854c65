import { strict as assert } from 'node:assert';
import { ClusterControl } from '../../src/harness/cluster-control';
import { etcdLeaderKills } from '../../src/harness/etcd-schedule';
import { etcdMemberSpecs, leaderOf, withEtcdEndpoints } from '../../src/harness/etcd-members';
import { SeededRandom } from '../../src/workload/seeded-random';

const PORTS = { apiPort: 28567, etcdPort: 28379, portBase: 28600, linkPortFirst: 28900, linkPortLast: 28999 };
const single = { name: 'etcd', role: 'etcd' as const, command: 'etcd', address: 'http://127.0.0.1:28379', healthUrl: 'http://127.0.0.1:28379/health', ports: [28379, 28380], logFile: '/d/logs/etcd.log', args: ['--name', 'shoal'] };

describe('etcd members', () => {
  it('one member is the single spec unchanged; three get their own ports, data and a static initial cluster', () => {
    assert.deepEqual(etcdMemberSpecs(single, 28379, '/d', 1), [single]);
    const three = etcdMemberSpecs(single, 28379, '/d', 3);
    assert.deepEqual(three.map((m) => [m.name, m.address, m.healthUrl, m.logFile]), [
      ['etcd-1', 'http://127.0.0.1:28379', 'http://127.0.0.1:28379/health', '/d/logs/etcd-1.log'],
      ['etcd-2', 'http://127.0.0.1:28381', 'http://127.0.0.1:28381/health', '/d/logs/etcd-2.log'],
      ['etcd-3', 'http://127.0.0.1:28383', 'http://127.0.0.1:28383/health', '/d/logs/etcd-3.log'],
    ]);
    const arg = (args: readonly string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];
    for (const m of three) {
      assert.equal(arg(m.args, '--initial-cluster'), 'etcd-1=http://127.0.0.1:28380,etcd-2=http://127.0.0.1:28382,etcd-3=http://127.0.0.1:28384');
      assert.equal(arg(m.args, '--data-dir'), `/d/${m.name}`);
    }
    assert.equal(arg(three[1]!.args, '--listen-peer-urls'), 'http://127.0.0.1:28382');
    assert.throws(() => etcdMemberSpecs(single, 28379, '/d', 0), /1\.\.5/);
  });

  it('withEtcdEndpoints replaces the --etcd list and leaves other specs alone', () => {
    const node = { ...single, name: 'a1', args: ['x.js', '--etcd', 'http://127.0.0.1:28379', '--az', 'az-a'] };
    assert.deepEqual(withEtcdEndpoints(node, ['http://h:1', 'http://h:3']).args, ['x.js', '--etcd', 'http://h:1,http://h:3', '--az', 'az-a']);
    assert.equal(withEtcdEndpoints(single, ['http://h:1']), single);
  });

  it('leaderOf names the member whose own id is the leader it reports', () => {
    const st = (id: string, leader: string): { header: { member_id: string }; leader: string } => ({ header: { member_id: id }, leader });
    assert.equal(leaderOf([{ name: 'etcd-1', status: st('11', '22') }, { name: 'etcd-2', status: st('22', '22') }, { name: 'etcd-3', status: undefined }]), 'etcd-2');
    assert.equal(leaderOf([{ name: 'etcd-1', status: st('11', '0') }, { name: 'etcd-2', status: st('22', '11') }, { name: 'etcd-3', status: undefined }]), undefined);
  });

  it('a 3-member cluster gives every process all members, each through its own link proxy', () => {
    const c = new ClusterControl('/tmp/etcd-members-test', PORTS, { leaseTtlSec: 3, nodeEnv: {}, etcdMembers: 3 });
    assert.deepEqual(c.etcdEndpoints, ['http://127.0.0.1:28379', 'http://127.0.0.1:28381', 'http://127.0.0.1:28383']);
    for (const p of c.specs.filter((s) => s.role !== 'etcd')) {
      assert.equal(p.args[p.args.indexOf('--etcd') + 1], c.etcdEndpoints.join(','), p.name);
      const map = c.links.dialMap(p.name);
      const proxied = ['127.0.0.1:28379', '127.0.0.1:28381', '127.0.0.1:28383'].map((a) => map[a]);
      assert.ok(proxied.every((to) => to !== undefined) && new Set(proxied).size === 3, `${p.name}: ${JSON.stringify(map)}`);
    }
    const one = new ClusterControl('/tmp/etcd-members-test', PORTS, { leaseTtlSec: 3, nodeEnv: {} });
    assert.deepEqual(one.specs.filter((s) => s.role === 'etcd').map((s) => s.name), ['etcd']);
    assert.throws(() => new ClusterControl('/tmp/x', PORTS, { leaseTtlSec: 3, nodeEnv: {}, etcdMembers: 3, netns: { prefix: 't', subnet: '10.9.0.0/24', log: () => undefined } }), /--net proxy/);
  });

  it('etcd-leader-kill schedule: kills restarted within their period, then a majority stop that leaves the recovery time', () => {
    const timing = { firstMs: 3_000, periodMs: 8_000, jitterMs: 2_000, downMsMin: 2_000, downMsMax: 4_000, pauseMs: 10_000, recoveryMs: 12_000 };
    const steps = etcdLeaderKills(new SeededRandom(7), 50_000, timing);
    assert.deepEqual(steps.map((s) => s.action), ['kill-etcd-leader', 'restart', 'kill-etcd-leader', 'restart', 'kill-etcd-leader', 'restart', 'stop-etcd-majority', 'resume']);
    for (let i = 0; i < 6; i += 2) {
      const kill = steps[i]!.atMs;
      const period = 3_000 + (i / 2) * 8_000;
      assert.ok(kill >= period && kill < period + 2_000, `kill ${i / 2} at ${kill}`);
      assert.ok(steps[i + 1]!.atMs - kill >= 2_000 && steps[i + 1]!.atMs - kill < 4_000);
    }
    assert.deepEqual([steps[6]!.atMs, steps[7]!.atMs], [28_000, 38_000]);
    assert.deepEqual(etcdLeaderKills(new SeededRandom(7), 50_000, timing), steps);
    assert.notDeepEqual(etcdLeaderKills(new SeededRandom(8), 50_000, timing), steps);
    assert.throws(() => etcdLeaderKills(new SeededRandom(7), 50_000, { ...timing, periodMs: 5_000 }), /before the next period/);
  });
});
