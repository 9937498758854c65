/**
 * Tags of a stream (AddTagsToStream, RemoveTagsFromStream, TagResource,
 * UntagResource, CreateStream): the characters Kinesis accepts, the quota
 * of TAGS_PER_RESOURCE_MAX tags per resource, and which resource an ARN
 * names. Tags live on the stream record in etcd.
 *
 * Consumer ARNs (arn:...:stream/<name>/consumer/<consumer>:<created>) are
 * taggable resources too; until consumers exist here they name no
 * resource (ResourceNotFoundException). The consumer registry plugs in at
 * `resolveTaggable`.
 */
import { type KinesisError, limits } from '@shoal/core';
import type { StreamRecord, Versioned } from '@shoal/metadata';
import { resourceNotFound, tagCharactersInvalid } from '../kinesis-errors';
import type { OperationContext } from '../operation';
import { parseStreamArn } from './stream-arn';

/** Letters, digits, white space and _ . : / = + - @ (and %, which Kinesis refuses with its own message). */
const TAG_CHARACTERS = /^[\p{L}\p{N}\p{Zs}_.:/=+\-@%]*$/u;

/**
 * Checks tag keys and values: InvalidArgumentException for a character
 * outside TAG_CHARACTERS, then `percent()` for a '%' (Kinesis' two checks,
 * in that order).
 */
export function checkTagText(texts: readonly string[], percent: () => KinesisError): void {
  if (texts.some((t) => !TAG_CHARACTERS.test(t))) throw tagCharactersInvalid();
  if (texts.some((t) => t.includes('%'))) throw percent();
}

/** The stream's tags with `added` set; `tooMany()` if the result would hold more than TAGS_PER_RESOURCE_MAX. */
export function withTags(stream: StreamRecord, added: Readonly<Record<string, string>>, tooMany: () => KinesisError): Record<string, string> {
  const next = { ...stream.tags, ...added };
  if (Object.keys(next).length > limits.TAGS_PER_RESOURCE_MAX) throw tooMany();
  return next;
}

/** The stream's tags without `keys` (keys it does not have are ignored, as Kinesis does). */
export function withoutTags(stream: StreamRecord, keys: readonly string[]): Record<string, string> {
  const next = { ...stream.tags };
  for (const k of keys) delete next[k];
  return next;
}

/** Tags as Kinesis lists them: sorted by key (code units), after `exclusiveStartKey`. */
export function sortedTags(tags: Readonly<Record<string, string>>, exclusiveStartKey?: string): Array<{ Key: string; Value: string }> {
  return Object.keys(tags).filter((k) => exclusiveStartKey === undefined || k > exclusiveStartKey).sort()
    .map((k) => ({ Key: k, Value: tags[k]! }));
}

/**
 * The stream a resource ARN names (the caller's; a stream being deleted is
 * still found, as Kinesis does), or ResourceNotFoundException.
 */
export function resolveTaggable(ctx: OperationContext, arn: string): Versioned<StreamRecord> {
  const parts = parseStreamArn(arn);
  if (!parts || parts.accountId !== ctx.caller.accountId || parts.region !== ctx.caller.region) throw resourceNotFound(arn);
  const stream = ctx.view.stream(parts);
  if (!stream || stream.value.streamArn !== arn) throw resourceNotFound(arn);
  return stream;
}
