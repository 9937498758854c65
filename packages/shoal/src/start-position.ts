/**
 * Where `shoal tail` starts reading: the `--from` value parsed into a
 * Kinesis starting position. Pure; the current time is passed in.
 *
 *   trim-horizon            the oldest record each shard keeps
 *   latest                  only records put after tail starts
 *   2026-12-03T10:00:00Z    records that arrived at or after a time (ISO 8601)
 *   @1764756000             the same, as epoch seconds
 *   10m, 2h, 1d, 30s        the same, that long ago
 *   495...(digits)          from one record on: its shard from that sequence
 *                           number, the other shards from its arrival time
 */
import { SEQUENCE_NUMBER_PATTERN } from '@shoal/core';

export type StartPosition =
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'LATEST' }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestampMs: number }
  | { readonly type: 'AT_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

const MS_PER_UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const AGO_PATTERN = /^(\d{1,9})(ms|s|m|h|d)$/;
const EPOCH_SECONDS_PATTERN = /^@(\d{1,12})(\.\d{1,3})?$/;
/** An ISO 8601 date, optionally with a time: what Date.parse reads the same way on every platform. */
const ISO_PATTERN = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A position in one shard: a start position, or just after a record (resuming after an expired iterator or a subscription's end). */
export type ShardPosition = StartPosition | { readonly type: 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

export class StartPositionError extends Error {}

/** Parses a --from value; throws StartPositionError with a message for the user. */
export function parseStartPosition(text: string, nowMs: number): StartPosition {
  const word = text.trim().toLowerCase().replace(/_/g, '-');
  if (word === 'trim-horizon' || word === 'oldest' || word === 'earliest') return { type: 'TRIM_HORIZON' };
  if (word === 'latest' || word === 'now') return { type: 'LATEST' };
  const ago = AGO_PATTERN.exec(word);
  if (ago) return { type: 'AT_TIMESTAMP', timestampMs: nowMs - Number(ago[1]) * MS_PER_UNIT[ago[2]!]! };
  const epoch = EPOCH_SECONDS_PATTERN.exec(word);
  if (epoch) return { type: 'AT_TIMESTAMP', timestampMs: Math.round(Number(epoch[1]! + (epoch[2] ?? '')) * 1000) };
  if (ISO_PATTERN.test(text.trim())) {
    const ms = Date.parse(text.trim());
    if (Number.isFinite(ms)) return { type: 'AT_TIMESTAMP', timestampMs: ms };
  }
  if (SEQUENCE_NUMBER_PATTERN.test(word)) return { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: word };
  throw new StartPositionError(
    `--from ${text}: expected trim-horizon, latest, a time (2026-12-03T10:00:00Z, @EPOCH_SECONDS, or an age such as 10m, 2h, 1d) or a sequence number`);
}
