/**
 * NextTokens of the list operations (ListShards, ListStreams): where the
 * next page starts, signed with the cluster's HMAC key so any api process
 * can continue a listing another one began and clients cannot forge one.
 *
 * Format: base64url(JSON payload) "." base64url(first 16 bytes of
 * HMAC-SHA256(key, context || payload)). The context names the token type,
 * so a token of one kind never passes as another (or as a shard iterator).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalidNextToken } from './kinesis-errors';

const MAC_BYTES = 16;

export type ListTokenKind = 'ListShards' | 'ListStreams' | 'ListStreamConsumers';

export function encodeListToken(kind: ListTokenKind, payload: Readonly<Record<string, unknown>>, key: Buffer): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  return `${body.toString('base64url')}.${mac(kind, body, key).toString('base64url')}`;
}

/** The payload of a token this cluster issued; InvalidArgumentException for anything else. */
export function decodeListToken(kind: ListTokenKind, token: string, key: Buffer): Record<string, unknown> {
  const invalid = invalidNextToken();
  const dot = token.indexOf('.');
  if (dot <= 0) throw invalid;
  const body = Buffer.from(token.slice(0, dot), 'base64url');
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(kind, body, key))) throw invalid;
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid;
    return value as Record<string, unknown>;
  } catch {
    throw invalid;
  }
}

function mac(kind: ListTokenKind, body: Buffer, key: Buffer): Buffer {
  return createHmac('sha256', key).update(`shoal/${kind}/next-token/v1\0`).update(body).digest().subarray(0, MAC_BYTES);
}
