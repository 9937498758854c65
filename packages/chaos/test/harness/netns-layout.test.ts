import { strict as assert } from 'node:assert';
import { ClusterControl } from '../../src/harness/cluster-control';
import { netnsLayout, placeSpec } from '../../src/harness/netns-layout';

describe('netns layout', () => {
  const processes = [{ name: 'a1', az: 'az-a' }, { name: 'b1', az: 'az-b' }, { name: 'c1', az: 'az-c' }, { name: 'api', az: 'az-a' }, { name: 'api-2', az: 'az-b' }];

  it('one namespace and veth per process, addresses in its AZ block, bridge .1 for clients and .2 for etcd', () => {
    const l = netnsLayout('h4', '10.99.0.0/24', processes);
    assert.equal(l.bridge, 'h4br0');
    assert.equal(l.clientAddress, '10.99.0.1');
    assert.equal(l.etcdAddress, '10.99.0.2');
    assert.deepEqual(l.members.map((m) => [m.name, m.netns, m.vethHost, m.address]), [
      ['a1', 'h4-a1', 'h4v0', '10.99.0.17'], ['b1', 'h4-b1', 'h4v1', '10.99.0.33'], ['c1', 'h4-c1', 'h4v2', '10.99.0.49'],
      ['api', 'h4-api', 'h4v3', '10.99.0.18'], ['api-2', 'h4-api-2', 'h4v4', '10.99.0.34'],
    ]);
    assert.deepEqual(l.azBlocks, { 'az-a': '10.99.0.16/28', 'az-b': '10.99.0.32/28', 'az-c': '10.99.0.48/28' });
  });

  it('refuses a bad prefix or subnet, a process outside the AZs, and a full AZ block', () => {
    assert.throws(() => netnsLayout('h4-x', '10.99.0.0/24', processes), /prefix/);
    assert.throws(() => netnsLayout('abcdefghi', '10.99.0.0/24', processes), /prefix/);
    assert.throws(() => netnsLayout('h4', '10.99.0.0/16', processes), /subnet/);
    assert.throws(() => netnsLayout('h4', '10.299.0.0/24', processes), /subnet/);
    assert.throws(() => netnsLayout('h4', '10.99.0.0/24', [{ name: 'etcd' }]), /etcd: netns mode places/);
    const fifteen = Array.from({ length: 15 }, (_, i) => ({ name: `p${i}`, az: 'az-c' }));
    assert.equal(netnsLayout('h4', '10.99.0.0/24', fifteen.slice(0, 14)).members[13]!.address, '10.99.0.62');
    assert.throws(() => netnsLayout('h4', '10.99.0.0/24', fifteen), /more than 14 processes in az-c/);
  });

  it('places the harness cluster: own address for --host and health, the etcd address for --etcd and etcd itself', () => {
    const ports = { apiPort: 19567, etcdPort: 19379, portBase: 19600, linkPortFirst: 19900, linkPortLast: 19999 };
    const c = new ClusterControl('/tmp/h4-layout-test', ports, { leaseTtlSec: 3, nodeEnv: {}, netns: { prefix: 'h4', subnet: '10.99.0.0/24', log: () => undefined } });
    assert.equal(c.links.links.length, 0, 'no link proxies in netns mode');
    assert.deepEqual(c.netns!.layout.members.map((m) => `${m.name}=${m.address}`), [
      'a1=10.99.0.17', 'b1=10.99.0.33', 'c1=10.99.0.49', 'controller=10.99.0.18', 'controller-2=10.99.0.34', 'api=10.99.0.19', 'api-2=10.99.0.35',
    ]);
    const b1 = c.spec('b1')!;
    assert.equal(b1.address, '10.99.0.33:19601');
    assert.equal(b1.healthUrl, 'http://10.99.0.33:19701/healthz');
    assert.equal(b1.args[b1.args.indexOf('--host') + 1], '10.99.0.33');
    assert.equal(b1.args[b1.args.indexOf('--etcd') + 1], 'http://10.99.0.2:19379');
    assert.ok(c.specs.every((p) => !JSON.stringify(p).includes('127.0.0.1')), 'nothing left on loopback');
    assert.deepEqual(c.endpoints, ['http://10.99.0.19:19567', 'http://10.99.0.35:19568']);
    assert.equal(c.etcdEndpoint, 'http://10.99.0.2:19379');
    assert.deepEqual(c.netns!.execPrefix('api-2'), ['ip', 'netns', 'exec', 'h4-api-2']);
    assert.deepEqual(c.netns!.execPrefix('etcd'), []);
    const etcd = c.spec('etcd')!;
    assert.ok(etcd.args.includes('http://10.99.0.2:19380') && etcd.args.includes('shoal=http://10.99.0.2:19380'));
    assert.throws(() => placeSpec({ ...b1, name: 'z9' }, c.netns!.layout), /z9 has no place/);
  });
});
