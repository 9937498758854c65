/**
 * Kinesis clients of the workload: one per api endpoint, HTTP/1.1 with
 * explicit connect and request deadlines, and no SDK retries (the workload
 * retries itself and logs every attempt).
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CONNECT_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../chaos-limits';

export function kinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'chaos', secretAccessKey: 'chaos' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }),
  });
}
