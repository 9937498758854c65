/**
 * Indexes over a History that every check shares: attempts by value, every
 * record ever seen at each (shard, sequence number) (from reads and from
 * acknowledgements), the known sequence numbers of each shard, the final
 * read of each shard in lineage order, and what the snapshots say of each
 * shard.
 */
import type { FinalShardRead, History, PutAttempt, ReadCall, SnapshotShard } from '../history/history-format';

/** One record seen at a position, by a read or in a put's acknowledgement. */
export interface Occurrence {
  readonly shardId: string;
  readonly seq: string;
  readonly value: string | null;
  readonly md5: string;
  readonly partitionKey: string;
  readonly source: PutAttempt | ReadCall;
}

export interface FinalRecord extends Occurrence {
  readonly seqN: bigint;
}

/** Content identity of a record: same value, data and key. */
function contentKey(o: Pick<Occurrence, 'value' | 'md5' | 'partitionKey'>): string {
  return `${o.value ?? '<foreign>'}|${o.md5}|${o.partitionKey}`;
}

function isAck(op: PutAttempt): op is PutAttempt & { shardId: string; seq: string } {
  return op.outcome === 'ok' && op.shardId !== undefined && op.seq !== undefined;
}

export class HistoryIndex {
  readonly attemptsByValue = new Map<string, PutAttempt[]>();
  readonly acks: Array<PutAttempt & { shardId: string; seq: string }> = [];
  readonly readCalls: ReadCall[] = [];
  /** shardId -> seq -> content key -> first occurrence with that content. */
  readonly byPosition = new Map<string, Map<string, Map<string, Occurrence>>>();
  /** value -> distinct positions ("shard/seq") it was seen at. */
  readonly positionsByValue = new Map<string, Set<string>>();
  /** shardId -> every known sequence number, ascending. */
  readonly knownSeqs = new Map<string, bigint[]>();
  /** What the snapshots say of each shard (ending number from any snapshot that has one). */
  readonly shardInfo = new Map<string, SnapshotShard>();
  readonly finalStatus = new Map<string, FinalShardRead>();
  /** shardId -> records of its final read (the session its final-shard line names), in read order. */
  readonly finalRecords = new Map<string, FinalRecord[]>();

  constructor(readonly history: History) {
    for (const op of history.ops) this.addAttempt(op);
    for (const line of history.reads) {
      if (line.type === 'final-shard') this.finalStatus.set(line.shardId, line);
      else this.addRead(line);
    }
    for (const snap of history.shards) {
      if (snap.outcome !== 'ok') continue;
      for (const s of snap.shards) {
        const known = this.shardInfo.get(s.shardId);
        this.shardInfo.set(s.shardId, known?.endingSequenceNumber !== undefined ? known : s);
      }
    }
    this.collectFinal();
    for (const [shardId, seqs] of this.byPosition) {
      this.knownSeqs.set(shardId, [...seqs.keys()].map((s) => BigInt(s)).sort(compareBigInt));
    }
  }

  /** Shards in lineage order (parents before children, then by shard id), for every shard seen anywhere. */
  lineageOrder(): string[] {
    const all = new Set<string>([...this.shardInfo.keys(), ...this.byPosition.keys(), ...this.finalStatus.keys()]);
    const sorted = [...all].sort();
    const done = new Set<string>();
    const out: string[] = [];
    const visit = (id: string, depth: number): void => {
      if (done.has(id) || depth > all.size) return;
      const info = this.shardInfo.get(id);
      for (const p of [info?.parentShardId, info?.adjacentParentShardId]) if (p !== undefined && all.has(p)) visit(p, depth + 1);
      if (!done.has(id)) { done.add(id); out.push(id); }
    };
    for (const id of sorted) visit(id, 0);
    return out;
  }

  /** A known record of `shardId` lies strictly between `low` (exclusive; null = start) and `high` (exclusive; null = end). */
  knownBetween(shardId: string, low: bigint | null, high: bigint | null): bigint | undefined {
    const seqs = this.knownSeqs.get(shardId) ?? [];
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) { // first index with seq > low
      const mid = (lo + hi) >> 1;
      if (low !== null && (seqs[mid] as bigint) <= low) lo = mid + 1; else hi = mid;
    }
    const candidate = seqs[lo];
    if (candidate === undefined) return undefined;
    return high === null || candidate < high ? candidate : undefined;
  }

  private addAttempt(op: PutAttempt): void {
    const list = this.attemptsByValue.get(op.value);
    if (list) list.push(op); else this.attemptsByValue.set(op.value, [op]);
    if (isAck(op)) {
      this.acks.push(op);
      this.addOccurrence({ shardId: op.shardId, seq: op.seq, value: op.value, md5: op.md5, partitionKey: op.partitionKey, source: op });
    }
  }

  private addRead(read: ReadCall): void {
    this.readCalls.push(read);
    for (const r of read.records) {
      this.addOccurrence({ shardId: read.shardId, seq: r.seq, value: r.value, md5: r.md5, partitionKey: r.partitionKey, source: read });
    }
  }

  private addOccurrence(o: Occurrence): void {
    let bySeq = this.byPosition.get(o.shardId);
    if (!bySeq) { bySeq = new Map(); this.byPosition.set(o.shardId, bySeq); }
    let byContent = bySeq.get(o.seq);
    if (!byContent) { byContent = new Map(); bySeq.set(o.seq, byContent); }
    const key = contentKey(o);
    if (!byContent.has(key)) byContent.set(key, o);
    if (o.value !== null) {
      let positions = this.positionsByValue.get(o.value);
      if (!positions) { positions = new Set(); this.positionsByValue.set(o.value, positions); }
      positions.add(`${o.shardId}/${o.seq}`);
    }
  }

  private collectFinal(): void {
    for (const read of this.readCalls) {
      if (!read.final || read.outcome !== 'ok') continue;
      const status = this.finalStatus.get(read.shardId);
      if (status && status.session !== read.session) continue;
      let list = this.finalRecords.get(read.shardId);
      if (!list) { list = []; this.finalRecords.set(read.shardId, list); }
      for (const r of read.records) {
        list.push({ shardId: read.shardId, seq: r.seq, seqN: BigInt(r.seq), value: r.value, md5: r.md5, partitionKey: r.partitionKey, source: read });
      }
    }
  }
}

export function compareBigInt(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
