/**
 * Consumer ARNs as Kinesis spells them:
 * arn:aws:kinesis:<region>:<account id>:stream/<stream name>/consumer/<consumer name>:<creation epoch seconds>.
 * The creation time makes a consumer registered again under the same name a new ARN.
 */

/** A consumer's creation time as its ARN and Kinesis' messages give it: whole epoch seconds. */
export function consumerCreationEpochSec(createdMs: number): number {
  return Math.floor(createdMs / 1000);
}

export function consumerArn(streamArn: string, consumerName: string, createdMs: number): string {
  return `${streamArn}/consumer/${consumerName}:${consumerCreationEpochSec(createdMs)}`;
}

export interface ConsumerArnParts {
  readonly region: string;
  readonly accountId: string;
  readonly streamName: string;
  readonly consumerName: string;
  readonly creationEpochSec: number;
}

/** The parts of a consumer ARN, or undefined if it is not one. */
export function parseConsumerArn(arn: string): ConsumerArnParts | undefined {
  const m = /^arn:aws[a-z-]*:kinesis:([^:]*):(\d{12}):stream\/([a-zA-Z0-9_.-]+)\/consumer\/([a-zA-Z0-9_.-]+):(\d+)$/.exec(arn);
  if (!m) return undefined;
  return { region: m[1]!, accountId: m[2]!, streamName: m[3]!, consumerName: m[4]!, creationEpochSec: Number(m[5]) };
}
