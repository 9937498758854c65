import { strict as assert } from 'node:assert';
import {
  ETCD_KEEPALIVE_TIME_MS, WATCH_BACKOFF_MAX_MS, etcdCallOptions, etcdClientOptions,
} from '../src/etcd-client-options';

const CALL_TIMEOUT_MS = 5000;

describe('etcd client options', () => {
  it('puts a deadline on unary calls only: a stream with one died every call timeout (chaos az-outage)', () => {
    assert.deepEqual(etcdCallOptions({ isStream: false }, CALL_TIMEOUT_MS, 1_000), { deadline: new Date(6_000) });
    assert.deepEqual(etcdCallOptions({ isStream: true }, CALL_TIMEOUT_MS, 1_000), {});
  });

  it('the client factory gives watch and lease keepalive streams no deadline', () => {
    const options = etcdClientOptions(['127.0.0.1:2379'], CALL_TIMEOUT_MS);
    const factory = options.defaultCallOptions;
    assert.equal(typeof factory, 'function');
    if (typeof factory !== 'function') return;
    const stream = factory({ service: 'Lease', method: 'leaseKeepAlive', isStream: true });
    assert.equal(stream.deadline, undefined);
    const unary = factory({ service: 'KV', method: 'range', isStream: false, params: {} });
    assert.ok(unary.deadline instanceof Date);
  });

  it('has no circuit breaker: a call right after three failures reaches etcd', async () => {
    const host = etcdClientOptions(['127.0.0.1:2379'], CALL_TIMEOUT_MS).faultHandling?.host?.('127.0.0.1:2379');
    assert.ok(host);
    for (let i = 0; i < 3; i++) {
      await assert.rejects(host.execute(() => Promise.reject(Object.assign(new Error('deadline'), { code: 4 }))));
    }
    assert.equal(await host.execute(() => Promise.resolve('reached')), 'reached');
  });

  it('re-opens a failed watch within a second, however often it failed', () => {
    let backoff = etcdClientOptions(['127.0.0.1:2379'], CALL_TIMEOUT_MS).faultHandling?.watchBackoff;
    assert.ok(backoff);
    for (let i = 0; i < 50; i++) {
      backoff = backoff.next(undefined);
      assert.ok(backoff.duration <= WATCH_BACKOFF_MAX_MS, `attempt ${i}: ${backoff.duration} ms`);
    }
  });

  it('finds a dead etcd connection by HTTP/2 keepalive (no stream deadline does it now)', () => {
    const grpc = etcdClientOptions(['127.0.0.1:2379'], CALL_TIMEOUT_MS).grpcOptions ?? {};
    assert.equal(grpc['grpc.keepalive_time_ms'], ETCD_KEEPALIVE_TIME_MS);
    assert.ok(ETCD_KEEPALIVE_TIME_MS >= 5_000, 'etcd refuses pings more often than every 5 s');
  });
});
