/**
 * StopStreamEncryption: records written once the stream is ACTIVE again
 * are stored as sent; those sealed earlier stay readable (the data key is
 * kept). The stream goes UPDATING; the controller makes it ACTIVE.
 */
import { STOP_STREAM_ENCRYPTION, type StreamEncryptionInput } from '@shoal/core';
import type { StreamRecord } from '@shoal/metadata';
import { isKmsKeyId } from '../encryption/kms-key-id';
import { encryptionTypeInvalid, kmsKeyNotFound } from '../kinesis-errors';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveActiveStream } from '../streams/resolve-stream';
import { updateStreamSettings } from './stream-update';

async function execute(ctx: OperationContext, input: StreamEncryptionInput): Promise<OperationOutput> {
  if (input.EncryptionType !== 'KMS') throw encryptionTypeInvalid(input.EncryptionType);
  if (!isKmsKeyId(input.KeyId)) throw kmsKeyNotFound(input.KeyId);
  await updateStreamSettings(ctx, () => resolveActiveStream(ctx, input), (s) => {
    const { keyId: _keyId, ...rest } = s;
    const next: StreamRecord = { ...rest, status: 'UPDATING', encryptionType: 'NONE' };
    return next;
  });
  return {};
}

export const stopStreamEncryption = defineOperation<StreamEncryptionInput>({
  name: 'StopStreamEncryption', shape: STOP_STREAM_ENCRYPTION, controlPlane: true, execute,
});
