/**
 * The protocol edge through the dispatcher: the answers Kinesis gives
 * before any operation runs (recorded from the real service in kinesalite's
 * test/connection.js, which is also run against the cluster as the oracle).
 */
import assert from 'node:assert/strict';
import { ControlRateLimiter } from '../../src/control-rate-limiter';
import { Dispatcher, type ApiRequest, type ApiResponse } from '../../src/dispatcher';
import { OPERATIONS } from '../../src/operations/index';
import { cborCodec } from '../../src/protocol/cbor-codec';
import { ClusterView, ScriptedStorage, addStream, fakeContext, okAppend } from '../helpers/fake-context';
import { UNVERIFIED_SIGNATURE } from '../helpers/signature';

const JSON11 = 'application/x-amz-json-1.1';
const CBOR11 = 'application/x-amz-cbor-1.1';
const LIST = 'Kinesis_20131202.ListStreams';
const QUERY_INCOMPLETE = "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Credential'. " +
  "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. " +
  "AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.";
const HEADER_INCOMPLETE = "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
  "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=X";

function dispatcher(): Dispatcher {
  const view = new ClusterView();
  addStream(view, 's', 1);
  return new Dispatcher(fakeContext(view, new ScriptedStorage(okAppend())), OPERATIONS, new ControlRateLimiter(new Map()));
}

interface Sent { method?: string; url?: string; headers?: Record<string, string>; body?: string | Buffer; unsigned?: boolean }

async function send(d: Dispatcher, s: Sent): Promise<ApiResponse & { text: string }> {
  const req: ApiRequest = {
    method: s.method ?? 'POST', url: s.url ?? '/',
    headers: { ...(s.unsigned ? {} : UNVERIFIED_SIGNATURE), ...(s.headers ?? {}) },
    body: Buffer.isBuffer(s.body) ? s.body : Buffer.from(s.body ?? ''),
  };
  const res = await d.handle(req);
  return { ...res, text: (res.body as Buffer).toString('utf8') };
}

function xml(type: string, message?: string): string {
  return message === undefined ? `<${type}/>\n` : `<${type}>\n  <Message>${message}</Message>\n</${type}>\n`;
}

describe('protocol edge', () => {
  const d = dispatcher();

  it('answers other methods with AccessDeniedException in XML', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const r = await send(d, { method });
      assert.equal(r.status, 403);
      assert.equal(r.headers['content-type'], undefined);
      assert.equal(r.text, xml('AccessDeniedException', 'Unable to determine service/operation name to be authorized'));
      assert.match(r.headers['x-amzn-requestid']!, /^[0-9a-f-]{36}$/);
      assert.ok(Buffer.from(r.headers['x-amz-id-2']!, 'base64').length >= 64);
    }
  });

  it('answers an empty body in CBOR unless the content type is JSON 1.1', async () => {
    const cases: Array<[Record<string, string>, string, string]> = [
      [{}, CBOR11, 'UnknownOperationException'],
      [{ 'content-type': 'application/x-amz-json-1.0' }, CBOR11, 'UnknownOperationException'],
      [{ 'x-amz-target': LIST }, CBOR11, 'SerializationException'],
      [{ 'content-type': 'application/json', 'x-amz-target': LIST }, CBOR11, 'SerializationException'],
      [{ 'content-type': JSON11 }, JSON11, 'UnknownOperationException'],
      [{ 'content-type': JSON11, 'x-amz-target': LIST }, JSON11, 'SerializationException'],
      [{ 'x-amz-target': 'Kinesis_20131202.ListStream' }, CBOR11, 'UnknownOperationException'],
    ];
    for (const [headers, type, error] of cases) {
      const r = await send(d, { headers });
      assert.equal(r.status, 400, JSON.stringify(headers));
      assert.equal(r.headers['content-type'], type);
      const body = type === CBOR11 ? cborCodec.decode(r.body as Buffer) : JSON.parse(r.text);
      assert.deepEqual(body, { __type: error }, JSON.stringify(headers));
    }
  });

  it('answers a body in an unreadable content type from the signature, then the target, in XML', async () => {
    const cases: Array<[Sent, number, string]> = [
      [{ body: '{}' }, 403, xml('AccessDeniedException', 'Unable to determine service/operation name to be authorized')],
      [{ body: '{}', headers: { 'x-amz-target': 'whatever.ListStreams' } }, 403, xml('UnrecognizedClientException', 'No authorization strategy was found for service: whatever, operation: ListStreams')],
      [{ body: '{}', headers: { 'x-amz-target': 'Kinesis_20131202.whatever' } }, 500, xml('InternalFailure')],
      [{ body: '{}', headers: { 'x-amz-target': LIST, 'content-type': 'text/plain' } }, 404, xml('UnknownOperationException')],
      [{ body: '{}', unsigned: true, headers: { 'x-amz-target': LIST } }, 403, xml('MissingAuthenticationTokenException', 'Missing Authentication Token')],
      [{ body: '{}', unsigned: true, url: '/?X-Amz-Algorithm', headers: { 'x-amz-target': LIST } }, 403, xml('IncompleteSignatureException', QUERY_INCOMPLETE)],
    ];
    for (const [sent, status, body] of cases) {
      const r = await send(d, sent);
      assert.equal(r.status, status, JSON.stringify(sent));
      assert.equal(r.text, body);
      assert.equal(r.headers['content-type'], undefined);
    }
  });

  it('answers application/json in the deprecated envelope', async () => {
    const ok = await send(d, { headers: { 'content-type': ' application/json ;', 'x-amz-target': LIST }, body: '{}' });
    assert.equal(ok.status, 404);
    assert.deepEqual(JSON.parse(ok.text), { Output: { __type: 'com.amazon.coral.service#UnknownOperationException' }, Version: '1.0' });
    const bad = await send(d, { headers: { 'content-type': 'application/json', 'x-amz-target': LIST }, body: 'hello' });
    assert.equal(bad.status, 400);
    assert.deepEqual(JSON.parse(bad.text), { Output: { __type: 'com.amazon.coral.service#SerializationException' }, Version: '1.0' });
  });

  it('parses before it authenticates, and authenticates before it validates', async () => {
    const json = (r: { text: string }): unknown => JSON.parse(r.text);
    assert.deepEqual(json(await send(d, { unsigned: true, headers: { 'content-type': JSON11, 'x-amz-target': LIST }, body: 'hello' })), { __type: 'SerializationException' });
    assert.deepEqual(json(await send(d, { unsigned: true, headers: { 'content-type': JSON11, 'x-amz-target': 'Kinesis_20131202.Nope' }, body: '{}' })), { __type: 'UnknownOperationException' });
    const missing = await send(d, { unsigned: true, headers: { 'content-type': '   application/x-amz-json-1.1   ;whatever', 'x-amz-target': LIST }, body: '{}' });
    assert.equal(missing.status, 400);
    assert.deepEqual(json(missing), { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    const incomplete = await send(d, { unsigned: true, headers: { 'content-type': JSON11, 'x-amz-target': 'Kinesis_20131202.DescribeStream', authorization: 'X' }, body: '{}' });
    assert.deepEqual(json(incomplete), { __type: 'IncompleteSignatureException', message: HEADER_INCOMPLETE });
    const both = await send(d, { unsigned: true, url: '/?X-Amz-Algorithm', headers: { 'content-type': JSON11, 'x-amz-target': LIST, authorization: 'X' }, body: '{}' });
    assert.deepEqual(json(both), { __type: 'InvalidSignatureException', message: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header." });
    const noSignedHeaders = await send(d, { unsigned: true, headers: { 'content-type': JSON11, 'x-amz-target': LIST, authorization: 'AWS4- Signature=b, Credential=a', date: 'a' }, body: '{}' });
    assert.deepEqual(json(noSignedHeaders), { __type: 'IncompleteSignatureException', message: "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, Credential=a" });
    const queryMissing = await send(d, { unsigned: true, url: '/?X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d', headers: { 'content-type': JSON11, 'x-amz-target': LIST }, body: '{}' });
    assert.deepEqual(json(queryMissing), { __type: 'IncompleteSignatureException', message: "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters." });
  });

  it('refuses malformed credential scopes and dates', async () => {
    const call = async (authorization: string, date = '20240101T000000Z'): Promise<unknown> =>
      JSON.parse((await send(d, { unsigned: true, headers: { 'content-type': JSON11, 'x-amz-target': LIST, authorization, 'x-amz-date': date }, body: '{}' })).text);
    const auth = (credential: string, alg = 'AWS4-HMAC-SHA256'): string => `${alg} Credential=${credential}, SignedHeaders=host;x-amz-date, Signature=00`;
    assert.deepEqual(await call(auth('a')), { __type: 'IncompleteSignatureException', message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a'" });
    assert.deepEqual(await call(auth('K/20240101/us-east-1/dynamodb/aws4_request')), { __type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'kinesis'. " });
    assert.deepEqual(await call(auth('K/20240102/us-east-1/kinesis/aws4_request')), {
      __type: 'InvalidSignatureException', message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240102' != '20240101', from '20240101T000000Z'.",
    });
    assert.deepEqual(await call(auth('K/20240101/us-east-1/kinesis/aws4_request'), 'yesterday'), {
      __type: 'IncompleteSignatureException', message: "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601",
    });
    assert.deepEqual(await call(auth('K/20240101/us-east-1/kinesis/aws4_request', 'AWS4-HMAC-SHA1')), { __type: 'IncompleteSignatureException', message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'" });
  });

  it('takes the region from the credential scope (any key, unverified)', async () => {
    const r = await send(d, {
      unsigned: true,
      headers: { 'content-type': JSON11, 'x-amz-target': LIST, authorization: 'AWS4-HMAC-SHA256 Credential=ANY/20240101/eu-west-1/kinesis/aws4_request, SignedHeaders=host, Signature=1', 'x-amz-date': '20240101T000000Z' },
      body: '{}',
    });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.text).StreamNames, [], 'stream s lives in us-east-1');
  });

  it('answers CORS preflights and marks other answers for browsers', async () => {
    const pre = await send(d, { method: 'OPTIONS', unsigned: true, headers: { origin: 'https://app', 'access-control-request-headers': 'a, b', 'access-control-request-method': 'POST' } });
    assert.equal(pre.status, 200);
    assert.equal(pre.text, '');
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    assert.equal(pre.headers['access-control-allow-headers'], 'a, b');
    assert.equal(pre.headers['access-control-allow-methods'], 'POST');
    assert.equal(pre.headers['access-control-max-age'], '172800');
    assert.equal(pre.headers['x-amz-id-2'], undefined);
    assert.equal(pre.headers['content-type'], undefined);
    const r = await send(d, { headers: { origin: 'https://app' } });
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.equal(r.headers['access-control-expose-headers'], 'x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date');
  });
});
