/**
 * DeleteStream against the stream's lifecycle: a CREATING stream may be
 * deleted (as in Kinesis), a write that lands between the read and the
 * guarded write (the controller making the stream ACTIVE) is re-read rather
 * than refused, a stream already DELETING is refused with Kinesis'
 * message and left as it was, and DescribeStream lists no shards of a
 * DELETING stream (as Kinesis' developer guide shows).
 */
import assert from 'node:assert/strict';
import { streamKeyOf, type StreamRecord } from '@shoal/metadata';
import { ACCOUNT, ClusterView, ScriptedStorage, addStream, jsonCaller, liveContext } from '../helpers/fake-context';

const REF = { accountId: ACCOUNT, region: 'us-east-1', streamName: 's' };

function setup(status: StreamRecord['status']) {
  const view = new ClusterView();
  const stream = addStream(view, 's', 1);
  view.setStream(streamKeyOf(stream), { value: { ...stream, status }, modRevision: '7' });
  const ctx = liveContext(view, new ScriptedStorage());
  return { view, ctx, call: jsonCaller(ctx), current: () => view.stream(REF)! };
}

describe('DeleteStream', () => {
  it('deletes a stream that is still CREATING', async () => {
    const t = setup('CREATING');
    const res = await t.call('DeleteStream', { StreamName: 's' });
    assert.deepEqual(res, { status: 200, body: {} });
    assert.equal(t.current().value.status, 'DELETING');
  });

  it('re-reads and deletes when the controller makes the stream ACTIVE between its read and its write', async () => {
    const t = setup('CREATING');
    const write = t.ctx.metadata.updateStream;
    let raced = 0;
    const ctx = {
      ...t.ctx,
      metadata: {
        ...t.ctx.metadata,
        updateStream: async (record: StreamRecord, expected: string) => {
          if (raced === 0) {
            // The controller's CREATING -> ACTIVE commit lands first.
            raced++;
            const now = t.current();
            t.view.setStream(streamKeyOf(record), { value: { ...now.value, status: 'ACTIVE' }, modRevision: '8' });
          }
          return write(record, expected);
        },
      },
    };
    const res = await jsonCaller(ctx)('DeleteStream', { StreamName: 's' });
    assert.deepEqual(res, { status: 200, body: {} });
    assert.equal(raced, 1);
    assert.equal(t.current().value.status, 'DELETING');
  });

  it('refuses a stream already DELETING with Kinesis\' message and changes nothing', async () => {
    const t = setup('DELETING');
    const res = await t.call('DeleteStream', { StreamName: 's' });
    assert.deepEqual(res, {
      status: 400,
      body: { __type: 'ResourceInUseException', message: `Stream s under account ${ACCOUNT} not ACTIVE, instead in state DELETING` },
    });
    assert.equal(t.current().modRevision, '7');
  });

  it('leaves DescribeStream of the DELETING stream with no shards, its other members kept', async () => {
    const t = setup('ACTIVE');
    const before = (await t.call('DescribeStream', { StreamName: 's' })).body['StreamDescription'] as Record<string, unknown>;
    assert.equal((before['Shards'] as unknown[]).length, 1);
    assert.equal((await t.call('DeleteStream', { StreamName: 's' })).status, 200);
    const after = await t.call('DescribeStream', { StreamName: 's' });
    assert.equal(after.status, 200);
    assert.deepEqual(after.body['StreamDescription'], { ...before, StreamStatus: 'DELETING', Shards: [], HasMoreShards: false });
    assert.equal(t.view.shardsOf(t.current().value.streamId).length, 1, 'the shards stay until the controller removes them');
  });
});
