/** Stores for tests: over MemoryKv, or over real LevelDB instances in a temp dir; and record batches. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { RecordBatch, encodeRecordBatch, type ReplicaPersistedState } from '@shoal/core';
import { LevelKv, type Kv } from '../../src/store/kv';
import { MemoryKv } from '../../src/store/memory-kv';

export const BASE_DIR = '/tmp/h-storage';

export function batch(epoch: number, first: number, arrivals: readonly number[], dataBytes = 8): RecordBatch {
  const b = RecordBatch.parse(encodeRecordBatch(epoch, first, arrivals.map((t, i) => ({ arrivalMs: t, partitionKey: `k${first + i}`, data: Buffer.alloc(dataBytes, first + i) }))), true);
  if (typeof b === 'string') throw new Error(b);
  return b;
}

export function state(end: number, hw = end, epoch = 1, logStart = 0): ReplicaPersistedState {
  return { epoch, logStartOffset: logStart, logEndOffset: end, highWatermark: hw, epochCache: [{ epoch, startOffset: logStart }] };
}

/** A pair of Kv instances (index, data) that can be closed and reopened (LevelDB) or kept (memory). */
export interface KvPair {
  readonly index: Kv;
  readonly data: Kv;
  reopen(): Promise<KvPair>;
  close(): Promise<void>;
  /** Closes and deletes the files. */
  dispose(): Promise<void>;
}

export function memoryPair(index = new MemoryKv(), data = new MemoryKv()): KvPair {
  return { index, data, reopen: async () => memoryPair(index, data), close: async () => undefined, dispose: async () => undefined };
}

export async function levelPair(dir?: string): Promise<KvPair> {
  mkdirSync(BASE_DIR, { recursive: true });
  const root = dir ?? mkdtempSync(join(BASE_DIR, 'store-'));
  const index = new Level<string, Buffer>(join(root, 'index'), { keyEncoding: 'utf8', valueEncoding: 'buffer' });
  const data = new Level<string, Buffer>(join(root, 'data'), { keyEncoding: 'utf8', valueEncoding: 'buffer' });
  await index.open();
  await data.open();
  const pair: KvPair = {
    index: new LevelKv(index), data: new LevelKv(data),
    reopen: async () => { await pair.close(); return levelPair(root); },
    close: async () => { await index.close(); await data.close(); },
    dispose: async () => { await pair.close(); rmSync(root, { recursive: true, force: true }); },
  };
  return pair;
}
