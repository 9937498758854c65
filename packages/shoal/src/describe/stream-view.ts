/**
 * What `shoal describe` shows, pure: the stream's settings, shards in
 * lineage order, consumers and tags, as one JSON-ready object and as text.
 */
import type { Consumer, Shard, StreamDescriptionSummary, Tag } from '@aws-sdk/client-kinesis';
import type { Available } from '../kinesis-listing';
import { lineageRows } from '../shard-lineage';

const HASH_KEY_SPACE = 1n << 128n;

export interface ShardView {
  readonly shardId: string;
  readonly open: boolean;
  readonly parentShardId?: string;
  readonly adjacentParentShardId?: string;
  /** Depth in the lineage tree (0 = no listed parent). */
  readonly depth: number;
  readonly hashKeyRange: { readonly start: string; readonly end: string };
  /** Share of the hash key space, in percent. */
  readonly hashKeyPercent: number;
  readonly sequenceNumberRange: { readonly start?: string; readonly end?: string };
}

export interface StreamView {
  readonly streamName?: string;
  readonly streamArn?: string;
  readonly status?: string;
  readonly mode?: string;
  readonly retentionPeriodHours?: number;
  readonly encryptionType?: string;
  readonly keyId?: string;
  readonly openShardCount?: number;
  readonly consumerCount?: number;
  readonly createdAt?: string;
  readonly maxRecordSizeKiB?: number;
  readonly enhancedMonitoring?: readonly string[];
  /** null when the server cannot list them (e.g. UnknownOperationException); the reason is in `unavailable`. */
  readonly tags: Readonly<Record<string, string>> | null;
  readonly consumers: readonly { readonly name?: string; readonly arn?: string; readonly status?: string; readonly createdAt?: string }[] | null;
  readonly shards: readonly ShardView[] | null;
  readonly unavailable?: Readonly<Record<string, string>>;
}

function percentOf(start: string, end: string): number {
  const span = BigInt(end) - BigInt(start) + 1n;
  return Number((span * 100_000n) / HASH_KEY_SPACE) / 1000;
}

export function shardViews(shards: readonly Shard[]): ShardView[] {
  return lineageRows(shards.map((s) => ({ ...s, shardId: s.ShardId ?? '', parentShardId: s.ParentShardId, adjacentParentShardId: s.AdjacentParentShardId })))
    .map(({ shard: s, depth }) => {
      const start = s.HashKeyRange?.StartingHashKey ?? '0';
      const end = s.HashKeyRange?.EndingHashKey ?? '0';
      return {
        shardId: s.shardId,
        open: s.SequenceNumberRange?.EndingSequenceNumber === undefined,
        ...(s.ParentShardId !== undefined ? { parentShardId: s.ParentShardId } : {}),
        ...(s.AdjacentParentShardId !== undefined ? { adjacentParentShardId: s.AdjacentParentShardId } : {}),
        depth,
        hashKeyRange: { start, end },
        hashKeyPercent: percentOf(start, end),
        sequenceNumberRange: {
          ...(s.SequenceNumberRange?.StartingSequenceNumber !== undefined ? { start: s.SequenceNumberRange.StartingSequenceNumber } : {}),
          ...(s.SequenceNumberRange?.EndingSequenceNumber !== undefined ? { end: s.SequenceNumberRange.EndingSequenceNumber } : {}),
        },
      };
    });
}

export function streamView(summary: StreamDescriptionSummary, shards: Available<Shard[]>, consumers: Available<Consumer[]>, tags: Available<Tag[]>): StreamView {
  const unavailable: Record<string, string> = {};
  if (!shards.ok) unavailable['shards'] = shards.reason;
  if (!consumers.ok) unavailable['consumers'] = consumers.reason;
  if (!tags.ok) unavailable['tags'] = tags.reason;
  const monitoring = (summary.EnhancedMonitoring ?? []).flatMap((m) => m.ShardLevelMetrics ?? []);
  const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : { [key]: value } as { [P in K]?: V });
  return {
    ...opt('streamName', summary.StreamName),
    ...opt('streamArn', summary.StreamARN),
    ...opt('status', summary.StreamStatus),
    ...opt('mode', summary.StreamModeDetails?.StreamMode),
    ...opt('retentionPeriodHours', summary.RetentionPeriodHours),
    ...opt('encryptionType', summary.EncryptionType),
    ...opt('keyId', summary.KeyId),
    ...opt('openShardCount', summary.OpenShardCount),
    ...opt('consumerCount', summary.ConsumerCount),
    ...opt('createdAt', summary.StreamCreationTimestamp?.toISOString()),
    ...opt('maxRecordSizeKiB', summary.MaxRecordSizeInKiB),
    ...(monitoring.length > 0 ? { enhancedMonitoring: monitoring } : {}),
    tags: tags.ok ? Object.fromEntries(tags.value.map((t) => [t.Key ?? '', t.Value ?? ''])) : null,
    consumers: consumers.ok ? consumers.value.map((c) => ({
      ...opt('name', c.ConsumerName), ...opt('arn', c.ConsumerARN), ...opt('status', c.ConsumerStatus), ...opt('createdAt', c.ConsumerCreationTimestamp?.toISOString()),
    })) : null,
    shards: shards.ok ? shardViews(shards.value) : null,
    ...(Object.keys(unavailable).length > 0 ? { unavailable } : {}),
  };
}

function notAvailable(view: StreamView, what: string): string {
  const reason = view.unavailable?.[what];
  return reason === 'UnknownOperationException' ? '(not supported by this server)' : `(unavailable: ${reason ?? 'unknown'})`;
}

/** The view as text lines. */
export function streamText(view: StreamView): string[] {
  const lines: string[] = [];
  const row = (label: string, value: string | number | undefined): void => {
    if (value !== undefined) lines.push(`${label.padEnd(12)}${value}`);
  };
  row('stream', view.streamName);
  row('arn', view.streamArn);
  row('status', view.status);
  row('mode', view.mode);
  row('retention', view.retentionPeriodHours !== undefined ? `${view.retentionPeriodHours} hours` : undefined);
  row('encryption', view.encryptionType !== undefined ? `${view.encryptionType}${view.keyId !== undefined ? ` (key ${view.keyId})` : ''}` : undefined);
  row('created', view.createdAt);
  row('max record', view.maxRecordSizeKiB !== undefined ? `${view.maxRecordSizeKiB} KiB` : undefined);
  row('monitoring', view.enhancedMonitoring?.join(', '));
  const total = view.shards?.length;
  row('shards', view.openShardCount !== undefined ? `${view.openShardCount} open${total !== undefined ? ` of ${total}` : ''}` : total);
  row('tags', view.tags === null ? notAvailable(view, 'tags')
    : Object.keys(view.tags).length === 0 ? '(none)' : Object.entries(view.tags).map(([k, v]) => `${k}=${v}`).join(', '));
  if (view.consumers === null) row('consumers', notAvailable(view, 'consumers'));
  else if (view.consumers.length === 0) row('consumers', '(none)');
  else view.consumers.forEach((c, i) => row(i === 0 ? 'consumers' : '', `${c.name ?? '?'}  ${c.status ?? ''}  ${c.arn ?? ''}`));
  lines.push('');
  if (view.shards === null) {
    lines.push(`shards ${notAvailable(view, 'shards')}`);
    return lines;
  }
  lines.push('shards (children indented under their parents):');
  for (const s of view.shards) {
    const merged = s.adjacentParentShardId !== undefined ? `  merged from ${s.parentShardId ?? '?'} + ${s.adjacentParentShardId}` : '';
    lines.push(`${'  '.repeat(s.depth + 1)}${s.shardId}  ${s.open ? 'open  ' : 'closed'}  ${s.hashKeyPercent.toFixed(1)}% of keys${merged}`);
    const pad = '  '.repeat(s.depth + 2);
    lines.push(`${pad}hash keys ${s.hashKeyRange.start} .. ${s.hashKeyRange.end}`);
    lines.push(`${pad}sequence numbers ${s.sequenceNumberRange.start ?? '?'} .. ${s.sequenceNumberRange.end ?? '(open)'}`);
  }
  return lines;
}
