import { strict as assert } from 'node:assert';
import { LinkNet, around, crossingAz } from '../../src/harness/link-net';

describe('link net', () => {
  const sources = [{ name: 'a1', az: 'az-a' }, { name: 'b1', az: 'az-b' }, { name: 'api', az: 'az-a' }];
  const destinations = [{ name: 'etcd', address: '127.0.0.1:2379' }, { name: 'a1', az: 'az-a', address: '127.0.0.1:4600' }, { name: 'b1', az: 'az-b', address: '127.0.0.1:4601' }];
  const net = new LinkNet(sources, destinations, 28990, 28999);

  it('one proxy per (source, destination) pair, and a dial map per source', () => {
    assert.deepEqual(net.links.map((l) => l.proxy.name), ['a1->etcd', 'a1->b1', 'b1->etcd', 'b1->a1', 'api->etcd', 'api->a1', 'api->b1']);
    assert.deepEqual(net.dialMap('a1'), { '127.0.0.1:2379': '127.0.0.1:28990', '127.0.0.1:4601': '127.0.0.1:28991' });
    assert.throws(() => new LinkNet(sources, destinations, 28990, 28992), /more ports/);
  });

  it('around cuts one process off from chosen peers both ways; crossingAz selects an AZ boundary', () => {
    assert.deepEqual(net.links.filter(around('b1', ['etcd', 'a1'])).map((l) => l.proxy.name), ['a1->b1', 'b1->etcd', 'b1->a1']);
    assert.deepEqual(net.links.filter(crossingAz('az-b')).map((l) => l.proxy.name), ['a1->b1', 'b1->etcd', 'b1->a1', 'api->b1']);
  });
});
