/**
 * Verified SigV4 (--auth sigv4): requests signed by the AWS SDK's signer
 * pass; every wrong or stale signature gets AWS's answer.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TempDirs } from '@shoal/testkit';
import { KinesisError } from '@shoal/core';
import { createLogger, type Logger } from '@shoal/wire';
import { sigv4Authenticator } from '../../src/auth/authenticator';
import { CredentialsFile, parseCredentials } from '../../src/auth/credentials-file';
import type { ApiRequest } from '../../src/dispatcher';
import { presignRequest, signRequest } from '../helpers/signature';

const ALICE = { accessKeyId: 'AKIAALICE', secretAccessKey: 'alice-secret' };
const BOB = { accessKeyId: 'AKIABOB', secretAccessKey: 'bob-secret' };
const FILE = `
# two identities in two accounts
[alice]
aws_access_key_id = ${ALICE.accessKeyId}
aws_secret_access_key = ${ALICE.secretAccessKey}
aws_account_id = 111122223333

[profile bob]
aws_access_key_id=${BOB.accessKeyId}
aws_secret_access_key=${BOB.secretAccessKey}
region = eu-west-1 ; ignored
`;
const HOST = '127.0.0.1:4567';
const NOW = Date.parse('2026-03-01T12:00:00Z');
const BODY = Buffer.from('{"StreamName":"orders"}');
const BASE_HEADERS = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.DescribeStreamSummary' };

const identities = parseCredentials(FILE);
const auth = sigv4Authenticator({ lookup: (k) => identities.get(k) }, () => NOW);

async function signed(key = ALICE, at = new Date(NOW), body = BODY, region = 'us-east-1'): Promise<ApiRequest> {
  const headers = await signRequest({ ...key, region }, HOST, BASE_HEADERS, body, at);
  return { method: 'POST', url: '/', headers, body };
}

async function refused(req: ApiRequest, type: string, message: string | RegExp): Promise<void> {
  await assert.rejects(async () => auth.authenticate(req), (err: unknown) => {
    assert.ok(err instanceof KinesisError, String(err));
    assert.equal(err.type, type);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('SigV4 authenticator (--auth sigv4)', () => {
  const dirs = new TempDirs('shoal-creds-');
  after(() => dirs.removeAll());

  it('reads a shared-credentials file: accounts default to 000000000000, principals are users named by profile', () => {
    assert.deepEqual(identities.get(ALICE.accessKeyId), { profile: 'alice', ...ALICE, accountId: '111122223333', principalArn: 'arn:aws:iam::111122223333:user/alice' });
    assert.equal(identities.get(BOB.accessKeyId)?.accountId, '000000000000');
    assert.throws(() => parseCredentials('[a]\naws_access_key_id = AK1\n'), /aws_secret_access_key missing/);
    assert.throws(() => parseCredentials('[a]\naws_access_key_id=AK1\naws_secret_access_key=s\naws_account_id=12\n'), /12 digits/);
    assert.throws(() => parseCredentials('[a]\naws_access_key_id=AK1\naws_secret_access_key=s\n[b]\naws_access_key_id=AK1\naws_secret_access_key=t\n'), /also used by \[a\]/);
    assert.throws(() => parseCredentials('key = value\n'), /line 1/);
  });

  it('accepts header-signed requests and acts in the key account and the scope region', async () => {
    assert.deepEqual(await auth.authenticate(await signed()), { accountId: '111122223333', region: 'us-east-1', accessKeyId: ALICE.accessKeyId, principalArn: 'arn:aws:iam::111122223333:user/alice' });
    const bob = await auth.authenticate(await signed(BOB, new Date(NOW), BODY, 'eu-west-1'));
    assert.equal(bob.accountId, '000000000000');
    assert.equal(bob.region, 'eu-west-1');
  });

  it('verifies HTTP/2 requests signed over :authority (as the JS SDK v3 signs them)', async () => {
    const headers = await signRequest(ALICE, HOST, BASE_HEADERS, BODY, new Date(NOW));
    const { host, authorization, ...rest } = headers;
    // Re-sign with :authority in place of host, as the SDK's HTTP/2 handler does.
    const h2 = await signRequest(ALICE, HOST, { ...BASE_HEADERS, ':authority': host! }, BODY, new Date(NOW));
    assert.ok(authorization && h2['authorization']!.includes(':authority;'), h2['authorization']);
    const req: ApiRequest = { method: 'POST', url: '/', headers: { ...rest, ':authority': HOST, authorization: h2['authorization']! }, body: BODY };
    assert.equal((await auth.authenticate(req)).accountId, '111122223333');
  });

  it('verifies query-signed (presigned) requests and refuses expired ones', async () => {
    const pre = await presignRequest(ALICE, HOST, BASE_HEADERS, BODY, 300, new Date(NOW - 60_000));
    const req: ApiRequest = { method: 'POST', url: pre.path, headers: { ...pre.headers, host: HOST }, body: BODY };
    assert.equal((await auth.authenticate(req)).accountId, '111122223333');
    const old = await presignRequest(ALICE, HOST, BASE_HEADERS, BODY, 300, new Date(NOW - 600_000));
    await refused({ method: 'POST', url: old.path, headers: { ...old.headers, host: HOST }, body: BODY }, 'InvalidSignatureException', /^Signature expired: /);
  });

  it('answers AWS errors for unknown keys, wrong secrets, tampering and clock skew', async () => {
    await refused(await signed({ accessKeyId: 'AKIANOBODY', secretAccessKey: 'x' }), 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    const mismatch = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
    await refused(await signed({ ...ALICE, secretAccessKey: 'wrong' }), 'InvalidSignatureException', mismatch);
    const tampered = await signed();
    await refused({ ...tampered, body: Buffer.from('{"StreamName":"secret"}') }, 'InvalidSignatureException', mismatch);
    const retargeted = await signed();
    await refused({ ...retargeted, headers: { ...retargeted.headers, 'x-amz-target': 'Kinesis_20131202.DeleteStream' } }, 'InvalidSignatureException', mismatch);
    await refused(await signed(ALICE, new Date(NOW - 16 * 60_000)), 'InvalidSignatureException',
      'Signature expired: 20260301T114400Z is now earlier than 20260301T114500Z (20260301T120000Z - 15 min.)');
    await refused(await signed(ALICE, new Date(NOW + 16 * 60_000)), 'InvalidSignatureException',
      'Signature not yet current: 20260301T121600Z is still later than 20260301T121500Z (20260301T120000Z + 15 min.)');
    assert.equal((await auth.authenticate(await signed(ALICE, new Date(NOW - 14 * 60_000)))).accountId, '111122223333');
  });

  it('checks a signed x-amz-content-sha256 against the body', async () => {
    const good = await signRequest(ALICE, HOST, BASE_HEADERS, BODY, new Date(NOW), true);
    assert.match(good['authorization']!, /x-amz-content-sha256/);
    assert.equal((await auth.authenticate({ method: 'POST', url: '/', headers: good, body: BODY })).accountId, '111122223333');
    await refused({ method: 'POST', url: '/', headers: good, body: Buffer.from('{"StreamName":"other"}') }, 'InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  });

  it('reloads the credentials file when it changes, keeping the old identities if the new file is invalid', () => {
    const dir = dirs.make();
    const path = join(dir, 'credentials');
    writeFileSync(path, FILE);
    const errors: string[] = [];
    const logger: Logger = { ...createLogger('test', {}, 'error'), error: (msg: string) => { errors.push(msg); } };
    const file = new CredentialsFile(path, logger);
    assert.equal(file.lookup('AKIANEW'), undefined);
    writeFileSync(path, `${FILE}\n[new]\naws_access_key_id=AKIANEW\naws_secret_access_key=n\naws_account_id=999999999999\n`);
    file.reload();
    assert.equal(file.lookup('AKIANEW')?.accountId, '999999999999');
    writeFileSync(path, '[broken\n');
    file.reload();
    assert.equal(file.lookup('AKIANEW')?.accountId, '999999999999');
    assert.deepEqual(errors, ['credentials file not reloaded; the previous identities stay in force']);
  });
});
