/**
 * Request shapes of the resource-policy operations (PutResourcePolicy,
 * GetResourcePolicy, DeleteResourcePolicy): a stream or consumer ARN and,
 * for Put, the policy document as a JSON string (checked by
 * parsePolicyDocument, not here).
 */
import type { MemberRule, Shape } from './shape';

/** The model's ResourceARN pattern (streams and consumers), as Kinesis prints it. */
export const RESOURCE_ARN_PATTERN_TEXT = 'arn:aws.*:kinesis:.*:\\d{12}:.*stream/\\S+';
const RESOURCE_ARN_LENGTH_MAX = 2048;

const RESOURCE_ARN: MemberRule = { type: 'String', notNull: true, pattern: RESOURCE_ARN_PATTERN_TEXT, lengthMin: 1, lengthMax: RESOURCE_ARN_LENGTH_MAX };

export const PUT_RESOURCE_POLICY: Shape = { ResourceARN: RESOURCE_ARN, Policy: { type: 'String', notNull: true } };
export interface PutResourcePolicyInput {
  readonly ResourceARN: string;
  readonly Policy: string;
}

export const GET_RESOURCE_POLICY: Shape = { ResourceARN: RESOURCE_ARN };
export const DELETE_RESOURCE_POLICY: Shape = { ResourceARN: RESOURCE_ARN };
export interface ResourcePolicyTargetInput {
  readonly ResourceARN: string;
}
