/**
 * Reading the errors the AWS SDK throws: the Kinesis error name, whether
 * trying again may succeed, and one line for the user. Matches on error
 * names and codes (the protocol's own words), never on message text.
 */

/** Kinesis errors that say "later": the request was refused as a whole and may succeed when retried. */
const RETRIABLE_NAMES: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException', 'LimitExceededException', 'ThrottlingException', 'InternalFailure', 'InternalFailureException',
  'ServiceUnavailable', 'ServiceUnavailableException', 'KMSThrottlingException', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError',
]);
/** Node socket errors after which a new connection may work (a restarting api, a failover behind a load balancer). */
const RETRIABLE_SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'ERR_HTTP2_STREAM_ERROR', 'ERR_HTTP2_STREAM_CANCEL', 'ERR_HTTP2_GOAWAY_SESSION', 'ERR_HTTP2_SESSION_ERROR', 'ERR_HTTP2_ERROR',
]);
/** Socket errors that mean the endpoint could not be reached at all. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

function shape(err: unknown): SdkErrorShape {
  return typeof err === 'object' && err !== null ? err as SdkErrorShape : {};
}

/** The error's name (`ResourceNotFoundException`, `TimeoutError`, ...) or `Error`. */
export function errorName(err: unknown): string {
  const name = shape(err).name;
  return typeof name === 'string' && name !== '' ? name : 'Error';
}

/** True when the server does not know the operation (an older or partial Kinesis server). */
export function isUnknownOperation(err: unknown): boolean {
  return errorName(err) === 'UnknownOperationException';
}

/** The socket error codes of the error and of its cause (the SDK wraps ECONNREFUSED in ERR_HTTP2_STREAM_CANCEL). */
function socketCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 3; e = shape(e).cause, depth++) {
    const code = shape(e).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

/** The code (ECONNREFUSED, ENOTFOUND, ...) when the endpoint could not be reached at all. */
export function unreachableCode(err: unknown): string | undefined {
  return socketCodes(err).find((c) => UNREACHABLE_CODES.has(c));
}

export function isRetriable(err: unknown): boolean {
  const s = shape(err);
  if (RETRIABLE_NAMES.has(errorName(err)) || s.$retryable !== undefined) return true;
  if (socketCodes(err).some((c) => RETRIABLE_SOCKET_CODES.has(c))) return true;
  const status = s.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/** `ResourceNotFoundException: Stream x under account 000000000000 not found.` */
export function errorLine(err: unknown): string {
  const name = errorName(err);
  const message = shape(err).message;
  const text = typeof message === 'string' ? message : String(err);
  if (name === 'Error' || text.startsWith(name)) return text;
  return text === '' || text === 'UnknownError' ? name : `${name}: ${text}`;
}
