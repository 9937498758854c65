/**
 * What every Kinesis operation is: a request shape (validated by the
 * dispatcher with core's validateRequest) and an execute step that gets
 * the typed input and the process' shared context. Operations hold no
 * parsing, error rendering, metrics or logging: the dispatcher owns those.
 */
import type { Logger } from '@shoal/wire';
import type { ClusterView, ConsumerWrites, MetadataStore } from '@shoal/metadata';
import type { Shape } from '@shoal/core';
import type { FanOutPort } from './fanout/fan-out';
import type { RecordCrypto } from './encryption/record-crypto';
import type { ApiMetrics, RequestMeter } from './metrics';
import type { Codec } from './protocol/codec';
import type { ShardRouting } from './storage/shard-routing';
import type { StorageCalls } from './storage/storage-clients';
import type { RecordDistributor } from './streams/record-distribution';

/** Settings of this api process that operations read. */
export interface ApiConfig {
  /** Region of requests whose signature names none (the caller's region otherwise comes from its SigV4 credential scope). */
  readonly region: string;
  /** Account of every request when authentication is off (DEFAULT_ACCOUNT_ID). */
  readonly accountId: string;
  /** UpdateShardCount calls per stream in 24 hours (default core limits.UPDATE_SHARD_COUNT_PER_DAY_MAX). */
  readonly updateShardCountPerDayMax?: number;
  /**
   * 'sigv4': signatures are verified against the credentials file, callers act in their key's account, and
   * resource policies are enforced. 'none' (default): signatures must be well formed but are not checked.
   */
  readonly auth?: AuthMode;
  /** Account shard quota (--shard-limit); undefined = AWS's default for the caller's region. */
  readonly shardLimit?: number;
  /** ON_DEMAND streams per account (--on-demand-stream-limit); undefined = limits.ON_DEMAND_STREAMS_PER_ACCOUNT_MAX. */
  readonly onDemandStreamLimit?: number;
}

export type AuthMode = 'none' | 'sigv4';

/** The metadata writes operations make (a MetadataStore, or a stand-in in tests). */
/**
 * Longest wait, after a metadata write, for this process' view to show it,
 * so a client that reads right after writing sees its own write.
 */
export const READ_YOUR_WRITE_WAIT_MS = 2_000;

/** Waits (bounded) until the view satisfies `predicate`; a timeout is not an error (the write did succeed). */
export async function awaitOwnWrite(ctx: OperationContext, predicate: (view: ClusterView) => boolean): Promise<void> {
  try {
    await ctx.metadata.waitFor(predicate, READ_YOUR_WRITE_WAIT_MS);
  } catch {
    ctx.logger.warn('own metadata write not visible in the view yet');
  }
}

export type MetadataWrites = Pick<MetadataStore, 'createStream' | 'updateStream' | 'waitFor' | 'putResourcePolicy' | 'deleteResourcePolicy' | 'putAccountSettings'> & {
  /** Consumer registrations and subscription claims (enhanced fan-out). */
  readonly consumers: ConsumerWrites;
};

/**
 * Who sent one request, as authentication established it: the account and
 * region it acts in. Stream names, ARNs, limits and account settings are
 * scoped by these, as in AWS.
 */
export interface Caller {
  /** 12-digit account id: the signing key's account when SigV4 is verified, else ApiConfig.accountId. */
  readonly accountId: string;
  /** Region of the request's SigV4 credential scope (ApiConfig.region when it names none). */
  readonly region: string;
  /** Access key id the request was signed with, if it was signed. */
  readonly accessKeyId?: string;
  /** ARN of the signing identity (for resource policies), when SigV4 is verified. */
  readonly principalArn?: string;
}

/** What every request of this process shares (the dispatcher adds the Caller per request). */
export interface ProcessContext {
  readonly config: ApiConfig;
  readonly view: ClusterView;
  readonly metadata: MetadataWrites;
  readonly storage: StorageCalls;
  readonly routing: ShardRouting;
  /** HMAC key of shard iterators and list NextTokens. */
  readonly iteratorKey: Buffer;
  readonly metrics: ApiMetrics;
  readonly logger: Logger;
  /** Epoch milliseconds (injected so tests can move time). */
  readonly now: () => number;
  /** SubscribeToShard subscriptions of this process. */
  readonly fanOut: FanOutPort;
  /** Encryption at rest: seals and opens the records of encrypted streams. */
  readonly crypto: RecordCrypto;
  /** Round-robin placement of the records of AUTO-distribution streams. */
  readonly distributor: RecordDistributor;
}

/** What the transport says about one request (read by resource-policy checks). */
export interface RequestInfo {
  /** The operation named by X-Amz-Target, e.g. PutRecord (the policy action is kinesis:PutRecord). */
  readonly operation: string;
  /** Whether the request came over TLS (the aws:SecureTransport condition key). */
  readonly secureTransport: boolean;
  /** Where the operation names the stream it serves, for per-stream metrics (set by the dispatcher). */
  readonly meter?: RequestMeter;
}

/** The context of one request: the process' shared parts, who is asking and how. */
export interface OperationContext extends ProcessContext {
  readonly caller: Caller;
  readonly request: RequestInfo;
}

/** The response members of an operation; Buffers are blobs, Dates are timestamps. */
export type OperationOutput = Readonly<Record<string, unknown>>;

/**
 * Where a streamed response body goes (the HTTP layer's side): chunks in
 * order, back-pressure by `write` returning false, and word when the client
 * has gone (the producer must stop and free what it holds).
 */
export interface ResponseSink {
  /** Writes one chunk; false when the transport's buffer is full (wait for onDrain before writing more). */
  write(chunk: Buffer): boolean;
  onDrain(listener: () => void): void;
  /** Called once when the exchange ends for any reason (client gone, stream reset, end()). */
  onClose(listener: () => void): void;
  /** Ends the response body. */
  end(): void;
}

/** A response body produced over time (an event stream): the HTTP layer sends the headers, then calls pipe once. */
export interface ResponseStream {
  pipe(sink: ResponseSink): void;
}

/**
 * What an operation that answers with a stream returns instead of members
 * (SubscribeToShard). The body is built with the codec of the request, so
 * event payloads use the protocol the client spoke (JSON or CBOR).
 */
export interface StreamingOutput {
  readonly streaming: true;
  /** Content type of the response, e.g. application/vnd.amazon.eventstream. */
  readonly contentType: string;
  body(codec: Codec): ResponseStream;
}

export function isStreamingOutput(out: OperationOutput | StreamingOutput): out is StreamingOutput {
  return (out as Partial<StreamingOutput>).streaming === true;
}

export interface Operation<I> {
  /** The operation name in X-Amz-Target, e.g. 'PutRecords'. */
  readonly name: string;
  readonly shape: Shape;
  /** Counted against the per-account control-plane rate limit. */
  readonly controlPlane: boolean;
  /**
   * The shape to validate this request with, when it depends on the stream
   * the raw body names (PutRecord(s) on an AUTO-distribution stream take no
   * partition key); `shape` otherwise. Must return `shape` or a shape whose
   * typed form is I.
   */
  readonly shapeFor?: (ctx: OperationContext, raw: unknown) => Shape;
  execute(ctx: OperationContext, input: I): Promise<OperationOutput | StreamingOutput>;
}

/** An operation with its input type erased, for the dispatcher's table. */
export interface AnyOperation {
  readonly name: string;
  readonly shape: Shape;
  readonly controlPlane: boolean;
  readonly shapeFor?: (ctx: OperationContext, raw: unknown) => Shape;
  execute(ctx: OperationContext, input: unknown): Promise<OperationOutput | StreamingOutput>;
}

/** Erases the input type: the dispatcher validates the input against `shape` (or `shapeFor`) first, which is what makes the cast sound. */
export function defineOperation<I>(op: Operation<I>): AnyOperation {
  return {
    name: op.name, shape: op.shape, controlPlane: op.controlPlane, ...(op.shapeFor ? { shapeFor: op.shapeFor } : {}),
    execute: (ctx, input) => op.execute(ctx, input as I),
  };
}
