/**
 * End to end with authentication and TLS on: a real cluster started by
 * `scripts/cluster up --auth sigv4 --credentials FILE` (HTTPS on the api
 * port + 1 with its self-signed certificate), driven by real clients with
 * real keys: the JS SDK v3 over HTTP/2 and HTTP/1.1 (plain, TLS and IPv6),
 * boto3 and the AWS CLI over TLS, a Java-style CBOR client for every
 * operation, raw requests for malformed signatures, and two accounts with
 * a resource policy between them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateStreamCommand, DeleteResourcePolicyCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListStreamsCommand, PutRecordCommand, PutResourcePolicyCommand,
  DescribeStreamSummaryCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { REPO_ROOT } from '../../src/cluster-config';
import { exerciseEveryOperation } from './cbor-operations';
import { ClusterHarness } from './cluster-harness';
import { JavaCborClient } from './java-cbor-client';
import { waitActive } from './kinesis-helpers';
import { rawKinesisCall, tlsAlpn } from './raw-kinesis';
import { pythonWithBoto3 } from './python';

const REGION = 'us-east-1';
const OWNER = '111122223333';
const OTHER = '444455556666';
const ALICE = { accessKeyId: 'AKIAE2EALICE', secretAccessKey: 'alice-e2e-secret' };
const CAROL = { accessKeyId: 'AKIAE2ECAROL', secretAccessKey: 'carol-e2e-secret' };
const AWS_CLI = '/usr/bin/aws';
const API_PORT = Number(process.env['SHOAL_E2E_SECURITY_API_PORT'] ?? 24567);
const RELOAD_WAIT_MS = 15_000;

function credentialsFile(dir: string): string {
  const path = join(dir, 'credentials');
  writeFileSync(path, `[alice]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\naws_account_id = ${OWNER}\n\n` +
    `[carol]\naws_access_key_id = ${CAROL.accessKeyId}\naws_secret_access_key = ${CAROL.secretAccessKey}\naws_account_id = ${OTHER}\n`);
  return path;
}

async function expectError(promise: Promise<unknown>, name: string, message?: string | RegExp): Promise<void> {
  const err = await promise.then(() => undefined, (e: unknown) => e as { name: string; message: string; $metadata?: { httpStatusCode?: number } });
  assert.ok(err, `expected ${name}`);
  assert.equal(err.name, name, err.message);
  assert.equal(err.$metadata?.httpStatusCode, 400);
  if (typeof message === 'string') assert.equal(err.message, message);
  else if (message) assert.match(err.message, message);
}

describe('shoal end to end with --auth sigv4 and TLS', function () {
  this.timeout(180_000);
  const cluster = new ClusterHarness({ apiPort: API_PORT });
  const credentials = credentialsFile(cluster.dataDir);
  const https = `https://localhost:${API_PORT + 1}`;
  const certPath = join(cluster.dataDir, 'tls', 'cert.pem');
  const clients: KinesisClient[] = [];
  const client = (key: { accessKeyId: string; secretAccessKey: string }, endpoint = cluster.endpoint, http1 = false): KinesisClient => {
    const c = new KinesisClient({ endpoint, region: REGION, credentials: key, maxAttempts: 1, ...(http1 ? { requestHandler: new NodeHttpHandler() } : {}) });
    clients.push(c);
    return c;
  };

  before(function () {
    this.timeout(180_000);
    const out = cluster.cli('up', '--port', String(API_PORT), '--etcd-port', String(API_PORT - 188), '--port-base', String(API_PORT + 33),
      '--auth', 'sigv4', '--credentials', credentials);
    assert.match(out, /authentication: SigV4 verified against/);
    assert.match(out, new RegExp(`HTTPS \\(h2, http/1.1\\): https://localhost:${API_PORT + 1}`));
  });

  after(function () {
    this.timeout(60_000);
    for (const c of clients) c.destroy();
    cluster.destroy();
  });

  it('works with real keys from the JS SDK v3 over HTTP/2 and HTTP/1.1, and refuses wrong and unknown keys', async () => {
    await client(ALICE).send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 }));
    await waitActive(client(ALICE, cluster.endpoint, true), 'orders');
    const put = await client(ALICE, cluster.endpoint, true).send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'k', Data: Buffer.from('signed') }));
    assert.equal(put.ShardId, 'shardId-000000000000');
    await expectError(client({ ...ALICE, secretAccessKey: 'wrong' }).send(new ListStreamsCommand({})), 'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
    await expectError(client({ ...ALICE, secretAccessKey: 'wrong' }, cluster.endpoint, true).send(new ListStreamsCommand({})), 'InvalidSignatureException');
    await expectError(client({ accessKeyId: 'AKIANOBODY', secretAccessKey: 'x' }).send(new ListStreamsCommand({})), 'UnrecognizedClientException',
      'The security token included in the request is invalid.');
  });

  it('answers malformed, missing and stale signatures as AWS does', async () => {
    const listStreams = { target: 'ListStreams', body: '{}' };
    assert.deepEqual(await rawKinesisCall(cluster.endpoint, { ...listStreams }), { status: 400, body: { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' } });
    assert.deepEqual((await rawKinesisCall(cluster.endpoint, { ...listStreams, headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x' } })).body['__type'], 'IncompleteSignatureException');
    const stale = await rawKinesisCall(cluster.endpoint, { ...listStreams, signWith: ALICE, signedAt: new Date(Date.now() - 20 * 60_000) });
    assert.equal(stale.body['__type'], 'InvalidSignatureException');
    assert.match(String(stale.body['message']), /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    const presigned = await rawKinesisCall(cluster.endpoint, { ...listStreams, presignWith: ALICE });
    assert.equal(presigned.status, 200, JSON.stringify(presigned.body));
  });

  it('keeps two accounts apart, and lets another account in by ARN only with a resource policy', async () => {
    const alice = client(ALICE);
    const carol = client(CAROL);
    await carol.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 2 }));
    await waitActive(carol, 'orders');
    const mine = await alice.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }));
    const theirs = await carol.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }));
    assert.equal(mine.StreamDescriptionSummary?.StreamARN, `arn:aws:kinesis:${REGION}:${OWNER}:stream/orders`);
    assert.equal(theirs.StreamDescriptionSummary?.StreamARN, `arn:aws:kinesis:${REGION}:${OTHER}:stream/orders`);
    const arn = mine.StreamDescriptionSummary!.StreamARN!;
    await expectError(carol.send(new PutRecordCommand({ StreamARN: arn, PartitionKey: 'k', Data: Buffer.from('x') })), 'AccessDeniedException',
      `User: arn:aws:iam::${OTHER}:user/carol is not authorized to perform: kinesis:PutRecord on resource: ${arn} because no resource-based policy allows the kinesis:PutRecord action`);
    await alice.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: OTHER }, Action: ['kinesis:PutRecord', 'kinesis:GetShardIterator', 'kinesis:GetRecords'], Resource: arn }],
    }) }));
    const put = await carol.send(new PutRecordCommand({ StreamARN: arn, PartitionKey: 'k', Data: Buffer.from('from carol') }));
    const it = await carol.send(new GetShardIteratorCommand({ StreamARN: arn, ShardId: put.ShardId!, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: put.SequenceNumber! }));
    const got = await carol.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator!, StreamARN: arn }));
    assert.equal(Buffer.from(got.Records![0]!.Data!).toString(), 'from carol');
    await expectError(carol.send(new DescribeStreamSummaryCommand({ StreamARN: arn })), 'AccessDeniedException');
  });

  it('serves HTTPS with h2 and http/1.1 by ALPN on IPv4 and IPv6, trusted by the JS SDK default client (NODE_EXTRA_CA_CERTS)', async () => {
    assert.equal(await tlsAlpn('localhost', API_PORT + 1, certPath, ['h2', 'http/1.1']), 'h2');
    assert.equal(await tlsAlpn('::1', API_PORT + 1, certPath, ['http/1.1']), 'http/1.1');
    const script = `
      const { KinesisClient, ListStreamsCommand } = require('@aws-sdk/client-kinesis');
      const c = new KinesisClient({ endpoint: process.argv[1], region: '${REGION}', credentials: ${JSON.stringify(ALICE)} });
      c.send(new ListStreamsCommand({})).then((r) => { console.log(JSON.stringify(r.StreamNames)); c.destroy(); }, (e) => { console.error(e.name, e.message); process.exit(1); });`;
    for (const endpoint of [https, `https://[::1]:${API_PORT + 1}`]) {
      const out = execFileSync(process.execPath, ['-e', script, endpoint], {
        cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath, NODE_NO_WARNINGS: '1' },
      });
      assert.deepEqual(JSON.parse(out.trim().split('\n').pop()!), ['orders'], endpoint);
    }
    const ipv6 = await client(ALICE, `http://[::1]:${API_PORT}`).send(new ListStreamsCommand({}));
    assert.deepEqual(ipv6.StreamNames, ['orders']);
  });

  it('evaluates aws:SecureTransport: a Deny on plain HTTP leaves HTTPS (h2, via the SDK default client) working', async () => {
    const arn = `arn:aws:kinesis:${REGION}:${OWNER}:stream/orders`;
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [
      { Effect: 'Deny', Principal: '*', Action: 'kinesis:PutRecord', Resource: arn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ] });
    await client(ALICE).send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: policy }));
    await expectError(client(ALICE).send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'k', Data: Buffer.from('plain') })), 'AccessDeniedException',
      `User: arn:aws:iam::${OWNER}:user/alice is not authorized to perform: kinesis:PutRecord on resource: ${arn} with an explicit deny in a resource-based policy`);
    const script = `
      const { KinesisClient, PutRecordCommand } = require('@aws-sdk/client-kinesis');
      const c = new KinesisClient({ endpoint: process.argv[1], region: '${REGION}', credentials: ${JSON.stringify(ALICE)} });
      c.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'k', Data: Buffer.from('tls') }))
        .then((r) => { console.log(r.ShardId); c.destroy(); }, (e) => { console.error(e.name, e.message); process.exit(1); });`;
    const out = execFileSync(process.execPath, ['-e', script, https], {
      cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath, NODE_NO_WARNINGS: '1' },
    });
    assert.equal(out.trim().split('\n').pop(), 'shardId-000000000000');
    await client(ALICE).send(new DeleteResourcePolicyCommand({ ResourceARN: arn }));
  });

  it('serves boto3 and the AWS CLI over TLS (AWS_CA_BUNDLE)', () => {
    const env = { ...process.env, AWS_CA_BUNDLE: certPath, AWS_ACCESS_KEY_ID: ALICE.accessKeyId, AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey, AWS_DEFAULT_REGION: REGION };
    const cli = JSON.parse(execFileSync(AWS_CLI, ['--endpoint-url', https, '--output', 'json', 'kinesis', 'list-streams'], { encoding: 'utf8', env, timeout: 60_000 })) as { StreamNames: string[] };
    assert.deepEqual(cli.StreamNames, ['orders']);
    const script = `
import boto3, botocore, json, sys
k = boto3.client('kinesis', endpoint_url=sys.argv[1], region_name='${REGION}')
put = k.put_record(StreamName='orders', PartitionKey='py', Data=b'\\x00tls\\xff')
bad = boto3.client('kinesis', endpoint_url=sys.argv[1], region_name='${REGION}', aws_access_key_id='${ALICE.accessKeyId}', aws_secret_access_key='wrong')
try:
    bad.list_streams(); err = None
except botocore.exceptions.ClientError as e:
    err = e.response['Error']['Code']
print(json.dumps({'shard': put['ShardId'], 'err': err}))`;
    const out = JSON.parse(execFileSync(pythonWithBoto3(), ['-c', script, https], { encoding: 'utf8', env, timeout: 60_000 })) as { shard: string; err: string };
    assert.deepEqual(out, { shard: 'shardId-000000000000', err: 'InvalidSignatureException' });
  });

  it('answers a Java-style CBOR client for every operation', async () => {
    const done = await exerciseEveryOperation(new JavaCborClient(cluster.endpoint, ALICE), 'java-cbor');
    assert.ok(done.size >= 19, [...done].join(','));
  });

  it('picks up a new identity when the credentials file changes', async () => {
    const dave = { accessKeyId: 'AKIAE2EDAVE', secretAccessKey: 'dave-secret' };
    await expectError(client(dave).send(new ListStreamsCommand({})), 'UnrecognizedClientException');
    appendFileSync(credentials, `\n[dave]\naws_access_key_id = ${dave.accessKeyId}\naws_secret_access_key = ${dave.secretAccessKey}\naws_account_id = ${OTHER}\n`);
    const deadline = Date.now() + RELOAD_WAIT_MS;
    for (;;) {
      try {
        const r = await client(dave).send(new ListStreamsCommand({}));
        assert.deepEqual(r.StreamNames, ['orders'], 'dave acts in carol\'s account');
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(250);
      }
    }
  });
});
