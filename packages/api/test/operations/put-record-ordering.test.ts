/** PutRecord's SequenceNumberForOrdering: the numbers Kinesis accepts and the ones it calls invalid, and the answer without EncryptionType. */
import assert from 'node:assert/strict';
import { encodeSequenceNumber } from '@shoal/core';
import { ACCOUNT, ClusterView, ScriptedStorage, addStream, jsonCaller, liveContext, okAppend } from '../helpers/fake-context';

const NOW_MS = 1_800_000_000_000;
const hex = (h: string) => BigInt(`0x${h}`).toString();

describe('PutRecord SequenceNumberForOrdering', () => {
  const view = new ClusterView();
  addStream(view, 's', 1);
  const call = jsonCaller(liveContext(view, new ScriptedStorage(okAppend()), NOW_MS));
  const put = (seq: string) => call('PutRecord', { StreamName: 's', PartitionKey: 'a', Data: '', SequenceNumberForOrdering: seq });

  it('accepts numbers of Kinesis\' layouts, including ones of other shards and streams', async () => {
    for (const seq of [hex('20000000000000000000000000000000000000000000002'), hex('20000000000000000000000000000000000000000000001'),
      hex('20000000000000000000000000000000000000800000002'), '5',
      encodeSequenceNumber({ shardCreatedSecs: 1, shardIndex: 7, offset: 9n, arrivalSecs: Math.floor(NOW_MS / 1000) + 30 })]) {
      const r = await put(seq);
      assert.equal(r.status, 200, `${seq}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(Object.keys(r.body).sort(), ['SequenceNumber', 'ShardId']);
    }
  });

  it('refuses the ones Kinesis calls invalid, and arrival times well in the future', async () => {
    for (const seq of [hex('20000000000000000000000000000000000000000000000'), hex('20000000000000000000000000000000000000000000003'),
      hex('30000000000000000000000000000000000000000000001'), hex('20000000000800000000000000000000000000000000002'),
      hex('2ffffffffff7fffffffffffffff000000000007fffffff2'), hex('13bb2cc3d80000000000000000000000'),
      encodeSequenceNumber({ shardCreatedSecs: 1, shardIndex: 0, offset: 0n, arrivalSecs: Math.floor(NOW_MS / 1000) + 3600 })]) {
      assert.deepEqual((await put(seq)).body, {
        __type: 'InvalidArgumentException', message: `ExclusiveMinimumSequenceNumber ${seq} used in PutRecord on stream s under account ${ACCOUNT} is invalid.`,
      }, seq);
    }
  });
});
