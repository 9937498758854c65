/**
 * At most APPENDS_IN_FLIGHT_PER_NODE AppendShards calls from this api
 * process to one storage node at a time: calls made while one is in flight
 * wait, and all that waited go together as the next call (their shard
 * entries one after the other, in the order they came), whose answer is
 * cut back into each call's results.
 *
 * Why: a leader writes one batch per shard per step, and at many shards a
 * PutRecords brings each shard only a few records; much of what a batch
 * costs the leader and both followers does not grow with what it holds.
 * A node that takes several PutRecords in one call puts their records
 * for a shard in one batch. While the node is free a call goes at once, so
 * a light load waits for nothing; under a heavy one the calls grow with
 * the wait the load makes anyway. (Measured: docs/benchmarks.md.)
 *
 * Two entries of one shard in a call are two appends the leader takes in
 * order, in the same step. A call that fails fails every call it carried
 * (the retry policy then treats each as the transport failure it is).
 * Each call keeps the deadline it had when it was made (a coalesced call
 * has the earliest of its calls'): the call it waited behind ends by its
 * own deadline, which is earlier, so waiting never makes a call end later
 * than it would have alone, even behind a node that stopped answering.
 */
import type { AppendShardsRequest, AppendShardsResponse__Output } from '@shoal/wire';

/** AppendShards calls one api process keeps in flight to one node. */
export const APPENDS_IN_FLIGHT_PER_NODE = 1;
/**
 * Record bytes one coalesced call carries at most (a node's group commit
 * takes 16 MiB a step); a single call larger than it goes alone.
 */
export const COALESCED_APPEND_BYTES_MAX = 16 * 1024 * 1024;

/** Sends one AppendShards with a deadline (epoch ms). */
type Send = (nodeId: string, request: AppendShardsRequest, deadlineMs: number) => Promise<AppendShardsResponse__Output>;

interface Waiting {
  readonly request: AppendShardsRequest;
  readonly bytes: number;
  readonly deadlineMs: number;
  readonly resolve: (response: AppendShardsResponse__Output) => void;
  readonly reject: (err: unknown) => void;
}

interface NodeQueue {
  inFlight: number;
  waiting: Waiting[];
}

export class AppendCoalescer {
  private readonly nodes = new Map<string, NodeQueue>();

  constructor(
    private readonly send: Send, private readonly now: () => number = Date.now,
    private readonly inFlightMax = APPENDS_IN_FLIGHT_PER_NODE, private readonly bytesMax = COALESCED_APPEND_BYTES_MAX,
  ) {}

  /** Sends `request` (now, or with the calls made while one is in flight to the node), to end by `deadlineMs`. */
  appendShards(nodeId: string, request: AppendShardsRequest, deadlineMs: number): Promise<AppendShardsResponse__Output> {
    let queue = this.nodes.get(nodeId);
    if (!queue) this.nodes.set(nodeId, (queue = { inFlight: 0, waiting: [] }));
    const q = queue;
    return new Promise((resolve, reject) => {
      q.waiting.push({ request, bytes: requestBytes(request), deadlineMs, resolve, reject });
      this.pump(nodeId, q);
    });
  }

  /** Calls waiting or in flight to `nodeId` (for tests). */
  pending(nodeId: string): { inFlight: number; waiting: number } {
    const q = this.nodes.get(nodeId);
    return { inFlight: q?.inFlight ?? 0, waiting: q?.waiting.length ?? 0 };
  }

  private pump(nodeId: string, q: NodeQueue): void {
    while (q.inFlight < this.inFlightMax && q.waiting.length > 0) {
      const group = this.take(q);
      q.inFlight++;
      const request = group.length === 1 ? group[0]!.request : { shards: group.flatMap((w) => w.request.shards ?? []) };
      const deadlineMs = Math.min(...group.map((w) => w.deadlineMs));
      let answer: Promise<AppendShardsResponse__Output>;
      try {
        answer = deadlineMs > this.now() ? this.send(nodeId, request, deadlineMs) : Promise.reject(new Error('AppendShards deadline passed before the call was sent'));
      } catch (err) {
        answer = Promise.reject(err);
      }
      answer.then((response) => split(group, response), (err: unknown) => { for (const w of group) w.reject(err); }).finally(() => {
        q.inFlight--;
        if (q.inFlight === 0 && q.waiting.length === 0) this.nodes.delete(nodeId);
        else this.pump(nodeId, q);
      });
    }
  }

  /** The waiting calls of the next call: in order, up to bytesMax (at least one). */
  private take(q: NodeQueue): Waiting[] {
    let bytes = q.waiting[0]!.bytes;
    let n = 1;
    while (n < q.waiting.length && bytes + q.waiting[n]!.bytes <= this.bytesMax) bytes += q.waiting[n++]!.bytes;
    return q.waiting.splice(0, n);
  }
}

function requestBytes(request: AppendShardsRequest): number {
  let bytes = 0;
  for (const s of request.shards ?? []) bytes += s.records_body?.length ?? 0;
  return bytes;
}

/** Gives each call its own shards' results, in order. */
function split(group: readonly Waiting[], response: AppendShardsResponse__Output): void {
  if (group.length === 1) { group[0]!.resolve(response); return; }
  const total = group.reduce((n, w) => n + (w.request.shards?.length ?? 0), 0);
  if (response.results.length !== total) {
    for (const w of group) w.reject(new Error(`AppendShards answered ${response.results.length} results for ${total} shards`));
    return;
  }
  let at = 0;
  for (const w of group) {
    const n = w.request.shards?.length ?? 0;
    w.resolve({ ...response, results: response.results.slice(at, at + n) });
    at += n;
  }
}
