import { strict as assert } from 'node:assert';
import { channelIsCurrent } from '../../src/storage/storage-clients';

describe('storage clients: channel reuse', () => {
  const entry = { address: '127.0.0.1:4000', startedMs: 1_000 };

  it('reuses the channel of the same node process', () => {
    assert.equal(channelIsCurrent(entry, { grpcAddress: '127.0.0.1:4000', startedMs: 1_000 }), true);
  });

  it('drops it when the node moved or left the view', () => {
    assert.equal(channelIsCurrent(entry, { grpcAddress: '127.0.0.1:4001', startedMs: 1_000 }), false);
    assert.equal(channelIsCurrent(entry, undefined), false);
  });

  it('drops it when the node registered again from a restarted process (chaos leader-kill-loop: the old channel waited out its reconnect backoff)', () => {
    assert.equal(channelIsCurrent(entry, { grpcAddress: '127.0.0.1:4000', startedMs: 9_000 }), false);
  });
});
