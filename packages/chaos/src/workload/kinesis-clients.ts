/**
 * Kinesis clients of the workload: one per api endpoint, HTTP/1.1 with
 * explicit connect and request deadlines, and no SDK retries (the workload
 * retries itself and logs every attempt).
 */
import { Agent as HttpsAgent } from 'node:https';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DEFAULT_ACCOUNT_ID, type StreamRef } from '@shoal/metadata';
import { CONNECT_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../chaos-limits';
import type { ClientSecurity } from '../harness/cluster-control';

/** Region of the workload's clients; with authentication off every stream is in DEFAULT_ACCOUNT_ID. */
export const CHAOS_REGION = 'us-east-1';

/** The metadata name of a workload stream. */
export function chaosStreamRef(streamName: string): StreamRef {
  return { accountId: DEFAULT_ACCOUNT_ID, region: CHAOS_REGION, streamName };
}

/**
 * `requestTimeoutMs` bounds each call: @smithy/node-http-handler only logs
 * a warning when `requestTimeout` passes unless `throwOnRequestTimeout` is
 * set, and a request held by an api that cannot reach the shard leader
 * would otherwise wait for the api's own 10 s append deadline.
 */
export function kinesisClient(endpoint: string, requestTimeoutMs = REQUEST_TIMEOUT_MS, security?: ClientSecurity): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: CHAOS_REGION,
    credentials: security?.credentials ?? { accessKeyId: 'chaos', secretAccessKey: 'chaos' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true,
      // HTTPS to a secure cluster: trust its self-signed certificates (the agent offers no ALPN, so HTTP/1.1).
      ...(security ? { httpsAgent: new HttpsAgent({ keepAlive: true, ca: [...security.ca] }) } : {}),
    }),
  });
}
