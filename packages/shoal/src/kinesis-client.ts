/**
 * The Kinesis client every command uses: the AWS SDK for JavaScript v3 with
 * the endpoint and region the command line resolved, the profile if one was
 * named, and the SDK's default credential chain (environment, shared config
 * and credentials files, SSO, process, container, instance metadata). A
 * local cluster does not check signatures, so against a loopback endpoint a
 * missing credential falls back to placeholder keys (said only when the
 * server then refuses them); anywhere else it is an error.
 */
import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { DEFAULT_REGION, SDK_ATTEMPTS_MAX, SDK_IDLE_TIMEOUT_MS } from './cli-limits';
import type { Connection } from './command-line';

const PLACEHOLDER_CREDENTIALS = { accessKeyId: 'shoal-local', secretAccessKey: 'shoal-local' } as const;

type Credentials = { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };

/** True for localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackEndpoint(endpoint: string): boolean {
  const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The region of the profile (or AWS_PROFILE / default) in the shared config files, as the SDK reads it. */
async function profileRegion(profile: string | undefined): Promise<string | undefined> {
  const probe = new KinesisClient(profile !== undefined ? { profile } : {});
  try {
    return await probe.config.region();
  } catch {
    return undefined; // no region configured anywhere
  } finally {
    probe.destroy();
  }
}

export interface ShoalClient {
  readonly kinesis: KinesisClient;
  /** True once requests were signed with the placeholder keys. */
  placeholderCredentials(): boolean;
}

function credentialsFor(connection: Connection, onPlaceholder: () => void): () => Promise<Credentials> {
  const chain = defaultProvider(connection.profile !== undefined ? { profile: connection.profile } : {});
  let placeholder = false;
  return async () => {
    if (placeholder) return PLACEHOLDER_CREDENTIALS;
    try {
      return await chain();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (!isLoopbackEndpoint(connection.endpoint)) {
        throw new Error(`no AWS credentials (${why}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with --profile or AWS_PROFILE`);
      }
      placeholder = true;
      onPlaceholder();
      return PLACEHOLDER_CREDENTIALS;
    }
  };
}

/** The client for a connection; the region falls back from the command line to the profile to us-east-1. */
export async function createKinesisClient(connection: Connection): Promise<ShoalClient> {
  const region = connection.region ?? await profileRegion(connection.profile) ?? DEFAULT_REGION;
  let placeholder = false;
  const config: KinesisClientConfig = {
    endpoint: connection.endpoint,
    region,
    credentials: credentialsFor(connection, () => { placeholder = true; }),
    maxAttempts: SDK_ATTEMPTS_MAX,
    // The SDK's own Kinesis defaults (HTTP/2, a session per request), plus an idle bound so a stalled call cannot hang `tail`.
    requestHandler: { requestTimeout: SDK_IDLE_TIMEOUT_MS, disableConcurrentStreams: true },
    ...(connection.profile !== undefined ? { profile: connection.profile } : {}),
  };
  return { kinesis: new KinesisClient(config), placeholderCredentials: () => placeholder };
}
