/**
 * The KeyId forms StartStreamEncryption takes, as AWS KMS names keys: a key
 * id (UUID, or mrk- and 32 hex digits for a multi-Region key), a key ARN,
 * an alias name (alias/..., including the AWS managed alias/aws/kinesis)
 * or an alias ARN. There is no KMS here: the name is recorded and shown,
 * and every stream's records are sealed under its own data key wrapped by
 * the cluster master key (docs/encryption.md).
 */
const KEY_ID = '(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})';
const ALIAS = 'alias/[a-zA-Z0-9:/_-]+';
const ARN_PREFIX = 'arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:';
const KMS_KEY_ID = new RegExp(`^(?:${KEY_ID}|${ALIAS}|${ARN_PREFIX}key/${KEY_ID}|${ARN_PREFIX}${ALIAS})$`);

/** Whether `keyId` is one of the forms KMS accepts. */
export function isKmsKeyId(keyId: string): boolean {
  return KMS_KEY_ID.test(keyId);
}
