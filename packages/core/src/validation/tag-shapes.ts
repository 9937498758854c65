/**
 * Request shapes of the tagging operations (AddTagsToStream,
 * RemoveTagsFromStream, ListTagsForStream, TagResource, UntagResource,
 * ListTagsForResource), with the bounds of the current API model: a TagMap
 * of 1..200 entries, 1..50 tag keys per call, Limit 1..50. The 50 tags a
 * resource may hold and the characters a tag may use are checked by the
 * api (InvalidArgumentException, as Kinesis answers).
 */
import { TAG_KEY_LENGTH_MAX, TAG_KEY_LENGTH_MIN, TAG_KEYS_PER_CALL_MAX, LIST_TAGS_LIMIT_MAX } from '../limits';
import { STREAM_ARN, STREAM_NAME_OR_ARN, TAG_MAP, type StreamTarget } from './request-shapes';
import type { MemberRule, Shape } from './shape';

/** The model's ResourceARN: stream ARNs and (with consumers) consumer ARNs. */
export const RESOURCE_ARN_PATTERN_TEXT = 'arn:aws.*:kinesis:.*:\\d{12}:.*stream/\\S+';
const RESOURCE_ARN_LENGTH_MAX = 2048;
/** The model's StreamId (reserved for future use; validated, otherwise ignored). */
export const STREAM_ID_RULE: MemberRule = { type: 'String', pattern: '[a-z0-9]{20}-[a-z0-9]{3}', lengthMin: 1, lengthMax: 24 };
const RESOURCE_ARN: MemberRule = { type: 'String', notNull: true, pattern: RESOURCE_ARN_PATTERN_TEXT, lengthMin: 1, lengthMax: RESOURCE_ARN_LENGTH_MAX };
const TAG_KEY: MemberRule = { type: 'String', lengthMin: TAG_KEY_LENGTH_MIN, lengthMax: TAG_KEY_LENGTH_MAX };
const TAG_KEY_LIST: MemberRule = {
  type: 'List', notNull: true, lengthMin: 1, lengthMax: TAG_KEYS_PER_CALL_MAX, item: TAG_KEY, itemsReportedAsOne: true,
};

export const ADD_TAGS_TO_STREAM: Shape = {
  Tags: { ...TAG_MAP, notNull: true },
  StreamName: STREAM_NAME_OR_ARN,
  StreamARN: STREAM_ARN,
  StreamId: STREAM_ID_RULE,
};
export interface AddTagsToStreamInput extends StreamTarget {
  readonly Tags: Readonly<Record<string, string>>;
}

export const REMOVE_TAGS_FROM_STREAM: Shape = {
  TagKeys: TAG_KEY_LIST,
  StreamName: STREAM_NAME_OR_ARN,
  StreamARN: STREAM_ARN,
  StreamId: STREAM_ID_RULE,
};
export interface RemoveTagsFromStreamInput extends StreamTarget {
  readonly TagKeys: readonly string[];
}

export const LIST_TAGS_FOR_STREAM: Shape = {
  Limit: { type: 'Integer', min: 1, max: LIST_TAGS_LIMIT_MAX },
  ExclusiveStartTagKey: TAG_KEY,
  StreamName: STREAM_NAME_OR_ARN,
  StreamARN: STREAM_ARN,
  StreamId: STREAM_ID_RULE,
};
export interface ListTagsForStreamInput extends StreamTarget {
  readonly Limit?: number;
  readonly ExclusiveStartTagKey?: string;
}

export const TAG_RESOURCE: Shape = {
  Tags: { ...TAG_MAP, notNull: true },
  ResourceARN: RESOURCE_ARN,
  StreamId: STREAM_ID_RULE,
};
export interface TagResourceInput {
  readonly Tags: Readonly<Record<string, string>>;
  readonly ResourceARN: string;
}

export const UNTAG_RESOURCE: Shape = {
  TagKeys: TAG_KEY_LIST,
  ResourceARN: RESOURCE_ARN,
  StreamId: STREAM_ID_RULE,
};
export interface UntagResourceInput {
  readonly TagKeys: readonly string[];
  readonly ResourceARN: string;
}

export const LIST_TAGS_FOR_RESOURCE: Shape = {
  ResourceARN: RESOURCE_ARN,
  StreamId: STREAM_ID_RULE,
};
export interface ListTagsForResourceInput {
  readonly ResourceARN: string;
}
