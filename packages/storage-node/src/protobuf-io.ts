/**
 * The protobuf wire primitives of the hand-written codecs of the Replicate
 * stream (replicate-serde.ts for its messages, replicate-reply-serde.ts for
 * its replies): sizing, a writer into one pre-sized buffer and a reader
 * over a received one. Integers are uint64 limited to 2^53 (what a JS
 * number holds exactly).
 *
 * Wire format: tag = field number << 3 | wire type; varints are base-128
 * little-endian; LEN = varint length + bytes. The reader skips unknown
 * fields of any wire type and rejects truncated input.
 */
import type { ShardRef, ShardRef__Output } from '@shoal/wire';

export const WT_VARINT = 0;
const WT_I64 = 1;
export const WT_LEN = 2;
const WT_I32 = 5;
const VARINT_BYTES_MAX = 10;

type IntField = number | string | { toNumber(): number } | undefined;

export function toNumber(v: IntField): number {
  if (v === undefined) return 0;
  const n = typeof v === 'object' ? v.toNumber() : Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`protobuf: not a uint64 below 2^53: ${String(v)}`);
  return n;
}

export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) { n = Math.floor(n / 128); size++; }
  return size;
}

export function lenSize(field: number, len: number): number {
  return varintSize(field << 3) + varintSize(len) + len;
}

export function strFieldSize(field: number, s: string): number {
  return s === '' ? 0 : lenSize(field, Buffer.byteLength(s, 'utf8'));
}

export class Out {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  tag(field: number, wireType: number): void { this.varint((field << 3) | wireType); }
  str(field: number, s: string): void {
    if (s === '') return;
    this.tag(field, WT_LEN);
    this.varint(Buffer.byteLength(s, 'utf8'));
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  bytes(field: number, b: Uint8Array): void {
    this.tag(field, WT_LEN);
    this.varint(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}


/** A cursor over one protobuf message (or a sub-range of one). */
export class In {
  constructor(readonly buf: Buffer, public pos: number, readonly end: number) {}
  more(): boolean { return this.pos < this.end; }
  varint(): number {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < VARINT_BYTES_MAX; i++) {
      if (this.pos >= this.end) throw new Error('protobuf: truncated varint');
      const byte = this.buf[this.pos++]!;
      n += (byte & 0x7f) * mul;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(n)) throw new Error('protobuf: integer beyond 2^53');
        return n;
      }
      mul *= 128;
    }
    throw new Error('protobuf: varint too long');
  }
  /** The next LEN field's bytes as a view. */
  view(): Buffer {
    const len = this.varint();
    if (len > this.end - this.pos) throw new Error('protobuf: truncated field');
    const v = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return v;
  }
  sub(): In {
    const len = this.varint();
    if (len > this.end - this.pos) throw new Error('protobuf: truncated field');
    const inner = new In(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return inner;
  }
  str(): string { return this.view().toString('utf8'); }
  skip(wireType: number): void {
    if (wireType === WT_VARINT) this.varint();
    else if (wireType === WT_LEN) this.view();
    else if (wireType === WT_I64 || wireType === WT_I32) {
      this.pos += wireType === WT_I64 ? 8 : 4;
      if (this.pos > this.end) throw new Error('protobuf: truncated fixed field');
    } else throw new Error(`protobuf: unsupported wire type ${wireType}`);
  }
  /** Reads fields until the end, handing each (field, wire type) to `on`, which returns false to skip it. */
  fields(on: (field: number, wireType: number) => boolean): void {
    while (this.more()) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wireType = key % 8;
      if (!on(field, wireType)) this.skip(wireType);
    }
  }
}

/** A ShardRef (1 stream_id, 2 shard_id), merged into `into` when the field repeats, as protobuf merges a message field. */
export function decodeShardRef(r: In, into: ShardRef__Output | null): ShardRef__Output {
  const ref: ShardRef__Output = into ?? { stream_id: '', shard_id: '' };
  r.fields((f, wt) => {
    if (wt !== WT_LEN || (f !== 1 && f !== 2)) return false;
    if (f === 1) ref.stream_id = r.str(); else ref.shard_id = r.str();
    return true;
  });
  return ref;
}

/** A ShardRef field's payload size (1 stream_id, 2 shard_id), or undefined without a ref. */
export function shardRefSize(ref: ShardRef | null | undefined): number | undefined {
  return ref ? strFieldSize(1, ref.stream_id ?? '') + strFieldSize(2, ref.shard_id ?? '') : undefined;
}

/** The size of an item's ShardRef field 1, tag and length included (0 without a ref). */
export function shardRefFieldSize(refSize: number | undefined): number {
  return refSize === undefined ? 0 : lenSize(1, refSize);
}

/** An item of a Replicate stream message, sized: its ShardRef (field 1) and the payload size of the whole item. */
export interface SizedItem {
  readonly ref: ShardRef | null | undefined;
  readonly refSize: number | undefined;
  readonly size: number;
}

/**
 * The shape both Replicate stream messages share: 1 from_node_id (LEN,
 * UTF-8), 2 items (LEN, repeated), each starting with its ShardRef (field
 * 1); `writeRest` writes the rest of an item. One allocation, sized first.
 */
export function encodeFromAndItems<T extends SizedItem>(what: string, from: string, items: readonly T[], writeRest: (out: Out, item: T) => void): Buffer {
  let size = strFieldSize(1, from);
  for (const p of items) size += lenSize(2, p.size);
  const out = new Out(Buffer.allocUnsafe(size));
  out.str(1, from);
  for (const p of items) {
    out.tag(2, WT_LEN);
    out.varint(p.size);
    if (p.ref && p.refSize !== undefined) {
      out.tag(1, WT_LEN);
      out.varint(p.refSize);
      out.str(1, p.ref.stream_id ?? '');
      out.str(2, p.ref.shard_id ?? '');
    }
    writeRest(out, p);
  }
  if (out.pos !== size) throw new Error(`${what}: wrote ${out.pos} of ${size} bytes`);
  return out.buf;
}

/** Reads that shape: from_node_id and each item (decodeItem gets a cursor over one); unknown fields skipped. */
export function decodeFromAndItems<T>(buf: Buffer, decodeItem: (r: In) => T): { from: string; items: T[] } {
  const msg = { from: '', items: [] as T[] };
  const r = new In(buf, 0, buf.length);
  r.fields((f, wt) => {
    if (wt !== WT_LEN || (f !== 1 && f !== 2)) return false;
    if (f === 1) msg.from = r.str(); else msg.items.push(decodeItem(r.sub()));
    return true;
  });
  return msg;
}
