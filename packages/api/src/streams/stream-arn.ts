/**
 * Stream ARNs as Kinesis spells them:
 * arn:aws:kinesis:<region>:<account id>:stream/<stream name>.
 */

export function streamArn(region: string, accountId: string, streamName: string): string {
  return `arn:aws:kinesis:${region}:${accountId}:stream/${streamName}`;
}

/** The parts of a stream ARN, or undefined if it is not one. */
export function parseStreamArn(arn: string): { region: string; accountId: string; streamName: string } | undefined {
  const m = /^arn:aws[a-z-]*:kinesis:([^:]*):(\d{12}):stream\/(\S+)$/.exec(arn);
  if (!m) return undefined;
  return { region: m[1]!, accountId: m[2]!, streamName: m[3]! };
}
