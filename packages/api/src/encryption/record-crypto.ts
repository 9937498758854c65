/**
 * Encryption at rest in the api (docs/encryption.md): seals the records of
 * streams whose EncryptionType is KMS before they go to the storage nodes,
 * and opens sealed records on the way out, with the stream's data keys
 * (core record-envelope.ts) unwrapped under this process' master key.
 * Streams that were never encrypted cost nothing: they have no data keys,
 * so no record of theirs is ever looked at.
 */
import { randomBytes } from 'node:crypto';
import {
  DATA_KEY_BYTES, ENVELOPE_NONCE_BYTES, envelopeKeyVersion, openRecord, sealRecord, unwrapDataKey, wrapDataKey, type PlainRecord,
} from '@shoal/core';
import type { DataKeyRecord, StreamRecord } from '@shoal/metadata';
import { kmsAccessDenied } from '../kinesis-errors';
import type { MasterKey } from './master-key';

/** Unwrapped data keys kept in memory (one per stream and version in use). */
const DATA_KEY_CACHE_MAX = 4096;
/** Random bytes at the front of every nonce; the rest is a counter. */
const NONCE_PREFIX_BYTES = 8;
const NONCE_COUNTER_MAX = 0xffffffff;

/** 12-byte nonces that never repeat under one key (see CounterNonces). */
export interface NonceSource {
  next(): Buffer;
}

/**
 * Nonces: 8 random bytes drawn at start (and again whenever the 4-byte
 * counter wraps) followed by the counter. Within one prefix the counter
 * never repeats; two prefixes collide with probability about n^2 / 2^65
 * for n prefixes ever drawn, which keeps AES-GCM's nonce uniqueness
 * without coordination between api processes (random 96-bit nonces would
 * allow only about 2^32 records per key).
 */
export class CounterNonces implements NonceSource {
  private prefix: Buffer;
  private counter = 0;

  constructor(private readonly random: (bytes: number) => Buffer = randomBytes) {
    this.prefix = random(NONCE_PREFIX_BYTES);
  }

  next(): Buffer {
    if (this.counter > NONCE_COUNTER_MAX) {
      this.prefix = this.random(NONCE_PREFIX_BYTES);
      this.counter = 0;
    }
    const nonce = Buffer.allocUnsafe(ENVELOPE_NONCE_BYTES);
    this.prefix.copy(nonce, 0);
    nonce.writeUInt32BE(this.counter++, NONCE_PREFIX_BYTES);
    return nonce;
  }
}

/** Seals one record of a stream for storage. */
export type RecordSealer = (record: PlainRecord) => Buffer;
/** Opens a stored record's data if it is a sealed record of the stream; undefined for plaintext. */
export type RecordOpener = (data: Buffer) => PlainRecord | undefined;

export class RecordCrypto {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly master: MasterKey | undefined, private readonly nonces: NonceSource = new CounterNonces(),
    private readonly random: (bytes: number) => Buffer = randomBytes) {}

  /** Whether this process can encrypt (a master key was given). */
  get available(): boolean {
    return this.master !== undefined;
  }

  /** A fresh data key for the stream, wrapped under the master key. */
  newDataKey(streamId: string, version: number, nowMs: number): DataKeyRecord {
    const master = this.requireMaster();
    const wrapped = wrapDataKey(master.key, this.random(DATA_KEY_BYTES), this.random(ENVELOPE_NONCE_BYTES), streamId, version);
    return { version, wrappedKey: wrapped.toString('base64'), masterKeyId: master.id, createdMs: nowMs };
  }

  /** The sealer of an encrypted stream (its newest data key), or undefined for a stream that is not encrypted. */
  sealerFor(stream: StreamRecord): RecordSealer | undefined {
    if (stream.encryptionType !== 'KMS') return undefined;
    const current = (stream.dataKeys ?? []).reduce<DataKeyRecord | undefined>((a, k) => (a === undefined || k.version > a.version ? k : a), undefined);
    if (!current) throw kmsAccessDenied(`Stream ${stream.streamName} has no data key.`);
    const key = this.dataKey(stream, current);
    return (record) => sealRecord(key, current.version, this.nonces.next(), stream.streamId, record);
  }

  /** The opener of a stream that has (or had) encryption on; undefined for one that never had (nothing to open). */
  openerFor(stream: StreamRecord): RecordOpener | undefined {
    const dataKeys = stream.dataKeys;
    if (!dataKeys || dataKeys.length === 0) return undefined;
    return (data) => {
      const version = envelopeKeyVersion(data);
      const record = version === undefined ? undefined : dataKeys.find((k) => k.version === version);
      return record ? openRecord(this.dataKey(stream, record), stream.streamId, data) : undefined;
    };
  }

  private requireMaster(): MasterKey {
    if (!this.master) throw kmsAccessDenied('Encryption at rest is not available: the api has no master key (--master-key-file or SHOAL_MASTER_KEY).');
    return this.master;
  }

  private dataKey(stream: StreamRecord, record: DataKeyRecord): Buffer {
    const cacheKey = `${stream.streamId}/${record.version}`;
    const cached = this.keys.get(cacheKey);
    if (cached) return cached;
    const master = this.requireMaster();
    const key = unwrapDataKey(master.key, Buffer.from(record.wrappedKey, 'base64'), stream.streamId, record.version);
    if (!key) {
      throw kmsAccessDenied(`The data key of stream ${stream.streamName} was wrapped by master key ${record.masterKeyId}; this api has master key ${master.id}.`);
    }
    if (this.keys.size >= DATA_KEY_CACHE_MAX) this.keys.delete(this.keys.keys().next().value!);
    this.keys.set(cacheKey, key);
    return key;
  }
}
