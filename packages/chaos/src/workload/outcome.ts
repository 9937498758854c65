/**
 * What a failed Kinesis call means for the put it carried: `fail` when the
 * record was definitely not applied (throttled, rejected as invalid, the
 * connection refused before the request was sent), `info` when it may have
 * been (timeouts, resets, InternalFailure, ServiceUnavailable, anything
 * unknown). Unknown errors are `info`: the safe side for the checker.
 */
import type { Outcome } from '../history/history-format';

const DEFINITELY_NOT_APPLIED = new Set([
  'ProvisionedThroughputExceededException', 'ValidationException', 'InvalidArgumentException', 'ResourceNotFoundException',
  'LimitExceededException', 'ResourceInUseException', 'AccessDeniedException', 'ECONNREFUSED',
]);

/** The name of an SDK or socket error (error code for PutRecords entries). */
export function errorName(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; code?: unknown };
    if (typeof e.code === 'string' && e.code.startsWith('E')) return e.code;
    if (typeof e.name === 'string') return e.name;
  }
  return 'UnknownError';
}

export function outcomeOf(errorNameOrCode: string): Exclude<Outcome, 'ok'> {
  return DEFINITELY_NOT_APPLIED.has(errorNameOrCode) ? 'fail' : 'info';
}

/** True when a retry may succeed (every info, and throttling). */
export function retriable(errorNameOrCode: string): boolean {
  return outcomeOf(errorNameOrCode) === 'info' || errorNameOrCode === 'ProvisionedThroughputExceededException' || errorNameOrCode === 'ECONNREFUSED';
}
