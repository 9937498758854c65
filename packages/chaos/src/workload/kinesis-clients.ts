/**
 * Kinesis clients of the workload: one per api endpoint, HTTP/1.1 with
 * explicit connect and request deadlines, and no SDK retries (the workload
 * retries itself and logs every attempt).
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CONNECT_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../chaos-limits';

/**
 * `requestTimeoutMs` bounds each call: @smithy/node-http-handler only logs
 * a warning when `requestTimeout` passes unless `throwOnRequestTimeout` is
 * set, and a request held by an api that cannot reach the shard leader
 * would otherwise wait for the api's own 10 s append deadline.
 */
export function kinesisClient(endpoint: string, requestTimeoutMs = REQUEST_TIMEOUT_MS): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'chaos', secretAccessKey: 'chaos' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true }),
  });
}
