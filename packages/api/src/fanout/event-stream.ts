/**
 * The event-stream framing of SubscribeToShard responses
 * (application/vnd.amazon.eventstream), with the AWS SDK's own codec
 * (@smithy/eventstream-codec). Each message is a prelude (total length,
 * headers length, CRC32), headers, the payload and a CRC32. The payload is
 * encoded with the request's codec (JSON 1.1 or CBOR),
 * whose content type the `:content-type` header names:
 *
 *   :message-type event      :event-type initial-response        payload {}
 *   :message-type event      :event-type SubscribeToShardEvent   payload the event
 *   :message-type exception  :exception-type <Kinesis error>     payload {"message": ...}
 *
 * boto3, the Go SDK v2 and the Kotlin SDK require the initial-response first.
 */
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import type { Codec } from '../protocol/codec';

/** Content type of a SubscribeToShard response. */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

/** The exception types a SubscribeToShard event stream may carry (the model's SubscribeToShardEventStream union). */
export type EventStreamException = 'ResourceInUseException' | 'ResourceNotFoundException' | 'InternalFailureException';

const framing = new EventStreamCodec(
  (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
  (text) => Buffer.from(text, 'utf8'),
);

function frame(headers: MessageHeaders, payload: Buffer): Buffer {
  const bytes = framing.encode({ headers, body: payload });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function eventHeaders(codec: Codec, eventType: string): MessageHeaders {
  return {
    ':message-type': { type: 'string', value: 'event' },
    ':event-type': { type: 'string', value: eventType },
    ':content-type': { type: 'string', value: codec.contentType },
  };
}

/** The first message of every subscription. */
export function initialResponseMessage(codec: Codec): Buffer {
  return frame(eventHeaders(codec, 'initial-response'), codec.encode({}));
}

/** A SubscribeToShardEvent (Records, ContinuationSequenceNumber, MillisBehindLatest, ChildShards). */
export function subscribeToShardEventMessage(codec: Codec, event: Readonly<Record<string, unknown>>): Buffer {
  return frame(eventHeaders(codec, 'SubscribeToShardEvent'), codec.encode(event));
}

/** An error inside the stream; the subscription ends after it. */
export function exceptionMessage(codec: Codec, type: EventStreamException, message: string): Buffer {
  return frame({
    ':message-type': { type: 'string', value: 'exception' },
    ':exception-type': { type: 'string', value: type },
    ':content-type': { type: 'string', value: codec.contentType },
  }, codec.encode({ message }));
}
