/**
 * The X-Amz-Target header of the AWS JSON protocols: `<service>.<Operation>`;
 * Kinesis' service is Kinesis_20131202.
 */

export const KINESIS_TARGET_PREFIX = 'Kinesis_20131202';

/** The operation name a target header names for Kinesis, or undefined (unknown service, missing, malformed). */
export function operationOfTarget(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const dot = header.indexOf('.');
  if (dot < 0 || header.slice(0, dot) !== KINESIS_TARGET_PREFIX) return undefined;
  const op = header.slice(dot + 1);
  return /^[A-Za-z]+$/.test(op) ? op : undefined;
}
