/**
 * StartStreamEncryption: from when the stream is ACTIVE again, its records
 * are sealed in the api before they reach the storage nodes
 * (docs/encryption.md). The stream gets a data key on its first start (kept
 * for good: records sealed under it stay readable), goes UPDATING, and the
 * controller makes it ACTIVE. A new KeyId may be applied 25 times in 24 hours.
 */
import { START_STREAM_ENCRYPTION, limits, type StreamEncryptionInput } from '@shoal/core';
import { isKmsKeyId } from '../encryption/kms-key-id';
import { encryptionTypeInvalid, keyIdChangesExceeded, kmsKeyNotFound } from '../kinesis-errors';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveActiveStream } from '../streams/resolve-stream';
import { updateStreamSettings } from './stream-update';

const DAY_MS = 24 * 60 * 60 * 1000;

async function execute(ctx: OperationContext, input: StreamEncryptionInput): Promise<OperationOutput> {
  if (input.EncryptionType !== 'KMS') throw encryptionTypeInvalid(input.EncryptionType);
  if (!isKmsKeyId(input.KeyId)) throw kmsKeyNotFound(input.KeyId);
  await updateStreamSettings(ctx, () => resolveActiveStream(ctx, input), (s) => {
    const now = ctx.now();
    const changes = (s.keyIdChangesMs ?? []).filter((t) => now - t < DAY_MS);
    const newKey = s.encryptionType !== 'KMS' || s.keyId !== input.KeyId;
    if (newKey && changes.length >= limits.KEY_ID_CHANGES_PER_DAY_MAX) throw keyIdChangesExceeded(s.streamName, ctx.caller.accountId);
    const dataKeys = s.dataKeys !== undefined && s.dataKeys.length > 0 ? s.dataKeys : [ctx.crypto.newDataKey(s.streamId, 1, now)];
    return {
      ...s, status: 'UPDATING', encryptionType: 'KMS', keyId: input.KeyId, dataKeys, keyIdChangesMs: newKey ? [...changes, now] : changes,
    };
  });
  return {};
}

export const startStreamEncryption = defineOperation<StreamEncryptionInput>({
  name: 'StartStreamEncryption', shape: START_STREAM_ENCRYPTION, controlPlane: true, execute,
});
