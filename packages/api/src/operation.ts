/**
 * What every Kinesis operation is: a request shape (validated by the
 * dispatcher with core's validateRequest) and an execute step that gets
 * the typed input and the process' shared context. Operations hold no
 * parsing, error rendering, metrics or logging: the dispatcher owns those.
 */
import type { Logger } from '@shoal/wire';
import type { ClusterView, MetadataStore } from '@shoal/metadata';
import type { Shape } from '@shoal/core';
import type { ApiMetrics } from './metrics';
import type { ShardRouting } from './storage/shard-routing';
import type { StorageCalls } from './storage/storage-clients';

/** Settings of this api process that operations read. */
export interface ApiConfig {
  readonly region: string;
  readonly accountId: string;
  /** UpdateShardCount calls per stream in 24 hours (default core limits.UPDATE_SHARD_COUNT_PER_DAY_MAX). */
  readonly updateShardCountPerDayMax?: number;
}

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

export type MetadataWrites = Pick<MetadataStore, 'createStream' | 'updateStream' | 'waitFor'>;

export interface OperationContext {
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
}

/** The response members of an operation; Buffers are blobs, Dates are timestamps. */
export type OperationOutput = Readonly<Record<string, unknown>>;

export interface Operation<I> {
  /** The operation name in X-Amz-Target, e.g. 'PutRecords'. */
  readonly name: string;
  readonly shape: Shape;
  /** Counted against the per-account control-plane rate limit. */
  readonly controlPlane: boolean;
  execute(ctx: OperationContext, input: I): Promise<OperationOutput>;
}

/** An operation with its input type erased, for the dispatcher's table. */
export interface AnyOperation {
  readonly name: string;
  readonly shape: Shape;
  readonly controlPlane: boolean;
  execute(ctx: OperationContext, input: unknown): Promise<OperationOutput>;
}

/** Erases the input type: the dispatcher validates the input against `shape` first, which is what makes the cast sound. */
export function defineOperation<I>(op: Operation<I>): AnyOperation {
  return { name: op.name, shape: op.shape, controlPlane: op.controlPlane, execute: (ctx, input) => op.execute(ctx, input as I) };
}
