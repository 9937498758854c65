/**
 * The one wrapper around every Kinesis operation: picks the codec from the
 * Content-Type and the operation from X-Amz-Target, decodes and validates
 * the body (core's validateRequest), applies the control-plane rate limit,
 * runs the operation, maps errors to Kinesis' error bodies and statuses,
 * and records metrics and logs. Operations hold only validate + execute.
 *
 * Error body: {"__type": "<KinesisErrorType>", "message": "..."} in the
 * request's codec (JSON 1.1 when the content type is unknown); Kinesis
 * spells the member "Message" for SerializationException. An operation
 * with no output members answers an empty body, as Kinesis documents
 * ("an HTTP 200 response with an empty HTTP body").
 *
 * Each request gets its own OperationContext: the process' shared parts
 * and the Caller its Authenticator established (account, region).
 * An operation may answer with a stream (StreamingOutput, SubscribeToShard):
 * the response then carries a ResponseStream that the HTTP layer pipes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { KinesisError, validateRequest } from '@shoal/core';
import { requestStreamName, type ControlRateLimiter } from './control-rate-limiter';
import type { Authenticator } from './auth/authenticator';
import { credentialScopeAuthenticator } from './auth/authenticator';
import { isStreamingOutput, type AnyOperation, type Caller, type OperationContext, type OperationOutput, type ProcessContext, type ResponseStream, type StreamingOutput } from './operation';
import type { Codec } from './protocol/codec';
import { codecFor } from './protocol/codecs';
import { jsonCodec } from './protocol/json-codec';
import { operationOfTarget } from './protocol/target';

/** Bytes of random x-amz-id-2 (Kinesis sends 72, base64). */
const AMZ_ID_2_BYTES = 72;
/** Status for a body in a content type no codec reads (a client error, not a crash). */
const UNSUPPORTED_CONTENT_TYPE_STATUS = 404;

export interface ApiRequest {
  /** HTTP method (POST for every Kinesis call). */
  readonly method?: string;
  /** Request target: path and query string (SigV4 query signing lives there). */
  readonly url?: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The whole body, or a body produced over time (event streams; no content-length). */
  readonly body: Buffer | ResponseStream;
}

function header(req: ApiRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The error members Kinesis sends: `Message` for SerializationException, `message` otherwise, none when empty. */
function errorBody(err: KinesisError): OperationOutput {
  if (err.message === '') return { __type: err.type };
  return err.type === 'SerializationException' ? { __type: err.type, Message: err.message } : { __type: err.type, message: err.message };
}

export class Dispatcher {
  constructor(
    private readonly ctx: ProcessContext,
    private readonly operations: ReadonlyMap<string, AnyOperation>,
    private readonly rateLimiter: ControlRateLimiter,
    private readonly authenticator: Authenticator = credentialScopeAuthenticator(ctx.config),
  ) {}

  async handle(req: ApiRequest): Promise<ApiResponse> {
    const requestId = randomUUID();
    const started = process.hrtime.bigint();
    const codec = codecFor(header(req, 'content-type'));
    const opName = operationOfTarget(header(req, 'x-amz-target'));
    const op = opName !== undefined ? this.operations.get(opName) : undefined;
    let status = 200;
    let body: OperationOutput;
    let errorType: string | undefined;
    try {
      const out = await this.run(req, codec, op);
      if (isStreamingOutput(out)) {
        if (op) this.ctx.metrics.observe(op.name, Number(process.hrtime.bigint() - started) / 1e9, undefined);
        return this.streamingResponse(out, codec ?? jsonCodec, requestId);
      }
      body = out;
    } catch (err) {
      const kerr = this.toKinesisError(err, requestId, opName);
      status = kerr.status;
      errorType = kerr.type;
      body = errorBody(kerr);
      if (!codec && kerr.type === 'UnknownOperationException') status = UNSUPPORTED_CONTENT_TYPE_STATUS;
    }
    if (op) this.ctx.metrics.observe(op.name, Number(process.hrtime.bigint() - started) / 1e9, errorType);
    const out = codec ?? jsonCodec;
    return {
      status,
      headers: {
        'content-type': out.contentType,
        'x-amzn-requestid': requestId,
        'x-amz-id-2': randomBytes(AMZ_ID_2_BYTES).toString('base64'),
      },
      body: Object.keys(body).length === 0 ? Buffer.alloc(0) : out.encode(body),
    };
  }

  private streamingResponse(out: StreamingOutput, codec: Codec, requestId: string): ApiResponse {
    return {
      status: 200,
      headers: { 'content-type': out.contentType, 'x-amzn-requestid': requestId, 'x-amz-id-2': randomBytes(AMZ_ID_2_BYTES).toString('base64') },
      body: out.body(codec),
    };
  }

  private async run(req: ApiRequest, codec: Codec | undefined, op: AnyOperation | undefined): Promise<OperationOutput | StreamingOutput> {
    if (!codec) throw new KinesisError('UnknownOperationException', '');
    if (req.body.length === 0) throw new KinesisError(op ? 'SerializationException' : 'UnknownOperationException', '');
    let raw: unknown;
    try {
      raw = codec.decode(req.body);
    } catch {
      throw new KinesisError('SerializationException', '');
    }
    if (!op) throw new KinesisError('UnknownOperationException', '');
    const caller: Caller = this.authenticator.authenticate(req);
    const ctx: OperationContext = { ...this.ctx, caller };
    const input = validateRequest<unknown>(op.shapeFor ? op.shapeFor(ctx, raw) : op.shape, raw, codec.timestampUnit);
    if (op.controlPlane) this.rateLimiter.check(caller.accountId, op.name, this.ctx.now(), requestStreamName(input));
    return op.execute(ctx, input);
  }

  /** Kinesis errors pass through; anything else is a bug or an outage: logged, InternalFailure. */
  private toKinesisError(err: unknown, requestId: string, opName: string | undefined): KinesisError {
    if (err instanceof KinesisError) {
      if (err.status >= 500) this.ctx.logger.warn('request failed', { requestId, operation: opName, type: err.type, message: err.message });
      return err;
    }
    this.ctx.logger.error('request failed with an internal error', { requestId, operation: opName, err });
    return new KinesisError('InternalFailure', 'Internal service failure.');
  }
}
