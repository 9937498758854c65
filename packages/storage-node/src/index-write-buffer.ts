/**
 * The size of a node's `index` memtable, different on every node.
 *
 * The three replicas of a shard store the same index keys and values at
 * the same moments (leader and followers write each batch in the same
 * step, give or take a round trip). With equal memtables their `index`
 * instances flush together and, every fourth flush, start the same
 * level-0 compaction within milliseconds of each other: at 128 shards
 * under load a few hundred milliseconds of one thread on every node at
 * once. Where the nodes share a machine (the local cluster, docker
 * compose, kind) every PutRecords waits for all three nodes and stalls
 * for as long. Memtables of different sizes make each node's compactions
 * fall at moments of their own (docs/storage.md "Index memtables differ
 * by node").
 *
 * The fraction comes from the node id, so a node keeps its size across
 * restarts; SHA-1 only mixes the id's bytes (it spreads the default ids
 * a1, b1, c1 and a2, b2, c2 at least a fifth of the range apart).
 */
import { createHash } from 'node:crypto';
import { LEVELDB_INDEX_OPTIONS, LEVELDB_INDEX_WRITE_BUFFER_SPREAD } from './storage-limits';

const U32 = 0x1_0000_0000;

/** A fraction in [0, 1) that depends only on `nodeId`. */
export function nodeFraction(nodeId: string): number {
  return createHash('sha1').update(nodeId, 'utf8').digest().readUInt32BE(0) / U32;
}

/** Bytes of `nodeId`'s index memtable: LevelDB's 4 MiB default, plus up to LEVELDB_INDEX_WRITE_BUFFER_SPREAD of it. */
export function indexWriteBufferBytes(nodeId: string): number {
  const base = LEVELDB_INDEX_OPTIONS.writeBufferSize;
  return Math.round(base * (1 + LEVELDB_INDEX_WRITE_BUFFER_SPREAD * nodeFraction(nodeId)));
}
