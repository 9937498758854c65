/**
 * Kinesis' own error types: one table mapping each to its HTTP status and
 * whether a client may retry. The api renders a KinesisError as
 * `{"__type": type, "message": message}` with that status.
 */

export const KINESIS_ERRORS = {
  AccessDeniedException: { status: 400, retryable: false },
  DryRunOperationException: { status: 400, retryable: false },
  ExpiredIteratorException: { status: 400, retryable: false },
  ExpiredNextTokenException: { status: 400, retryable: false },
  IncompleteSignature: { status: 400, retryable: false },
  InternalFailure: { status: 500, retryable: true },
  InvalidArgumentException: { status: 400, retryable: false },
  KMSAccessDeniedException: { status: 400, retryable: false },
  KMSDisabledException: { status: 400, retryable: false },
  KMSInvalidStateException: { status: 400, retryable: false },
  KMSNotFoundException: { status: 400, retryable: false },
  KMSOptInRequired: { status: 400, retryable: false },
  KMSThrottlingException: { status: 400, retryable: true },
  LimitExceededException: { status: 400, retryable: true },
  MissingAuthenticationToken: { status: 403, retryable: false },
  ProvisionedThroughputExceededException: { status: 400, retryable: true },
  ResourceInUseException: { status: 400, retryable: false },
  ResourceNotFoundException: { status: 400, retryable: false },
  SerializationException: { status: 400, retryable: false },
  ServiceUnavailable: { status: 503, retryable: true },
  UnknownOperationException: { status: 400, retryable: false },
  UnrecognizedClientException: { status: 400, retryable: false },
  ValidationException: { status: 400, retryable: false },
  // Authentication (SigV4) answers in the JSON/CBOR protocol, as recorded from Kinesis (kinesalite's test/connection.js):
  // 400 with the error in the body. The XML answers to requests without a usable content type are 403 (api protocol edge).
  MissingAuthenticationTokenException: { status: 400, retryable: false },
  IncompleteSignatureException: { status: 400, retryable: false },
  InvalidSignatureException: { status: 400, retryable: false },
} as const;

export type KinesisErrorType = keyof typeof KINESIS_ERRORS;

/** An error a client sees. Thrown by validation and operations; rendered by the api. */
export class KinesisError extends Error {
  readonly type: KinesisErrorType;
  readonly status: number;

  constructor(type: KinesisErrorType, message: string) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = KINESIS_ERRORS[type].status;
  }
}

/** The message Kinesis gives for an unknown stream. */
export function streamNotFound(streamName: string, accountId: string): KinesisError {
  return new KinesisError('ResourceNotFoundException', `Stream ${streamName} under account ${accountId} not found.`);
}

/** The message Kinesis gives when a shard's write or read rate is exceeded. */
export function shardRateExceededMessage(shardId: string, streamName: string, accountId: string): string {
  return `Rate exceeded for shard ${shardId} in stream ${streamName} under account ${accountId}.`;
}

/** A resource policy document this server refuses (PutResourcePolicy); `detail` says why. */
export function invalidPolicyDocument(detail: string): KinesisError {
  return new KinesisError('InvalidArgumentException', `Invalid policy document: ${detail}`);
}
