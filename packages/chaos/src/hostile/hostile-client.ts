/**
 * The hostile client of the hostile-input scenario (a SideLoad): rounds of
 * the bad-input corpus against every api process, alternating HTTP/1.1 and
 * HTTP/2, with slow clients of every kind held open against each api; each
 * probe is one hostile.jsonl line (the checker compares the answers with
 * the corpus: bad-input-wrong-answer, slow-client-not-closed).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SideLoad, SideLoadContext } from '../harness/side-load';
import type { SeededRandom } from '../workload/seeded-random';
import { badInputCorpus } from './bad-input-corpus';
import { Http2Sessions, sendHttp1 } from './raw-requests';
import { openSlowClient, SLOW_KINDS, type SlowConnection } from './slow-clients';

/** Pause between two bad requests (the machine is shared with the workload). */
const REQUEST_PAUSE_MS = 50;
/** Slow connections of each kind per api process, opened at once and reopened when closed. */
const SLOW_PER_KIND = 5;
/** Cases too costly to send every round (megabytes each): once per protocol and api. */
const HEAVY_CASES = new Set(['body-over-request-limit', 'record-over-max-size', 'put-records-501']);

function shuffled<T>(items: readonly T[], random: SeededRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function startHostileClient(ctx: SideLoadContext): SideLoad {
  let stopping = false;
  const h2 = new Http2Sessions();
  const corpus = badInputCorpus(ctx.streamName, 'shardId-000000000000');
  const slow = new Set<SlowConnection>();

  const slowLoop = async (api: number, kindIndex: number): Promise<void> => {
    const kind = SLOW_KINDS[kindIndex]!;
    while (!stopping) {
      const startMs = ctx.now();
      const conn = openSlowClient(ctx.endpoints[api]!, kind, ctx.now);
      slow.add(conn);
      const closedMs = await conn.closed;
      slow.delete(conn);
      ctx.history.hostile({
        type: 'hostile', kind: 'slow', name: kind.name, protocol: kind.protocol, api, startMs, endMs: ctx.now(),
        closeWithinMs: kind.closeWithinMs, ...(closedMs !== undefined ? { closedMs } : {}),
      });
    }
  };

  const requestLoop = async (): Promise<void> => {
    const sentHeavy = new Set<string>();
    for (let round = 0; !stopping; round++) {
      for (const c of shuffled(corpus, ctx.random)) {
        if (stopping) return;
        const api = ctx.random.int(ctx.endpoints.length);
        const protocol = c.request.http1Only || round % 2 === 0 ? 'http1' : 'http2';
        const heavyKey = `${c.name}/${protocol}/${api}`;
        if (HEAVY_CASES.has(c.name) && sentHeavy.has(heavyKey)) continue;
        sentHeavy.add(heavyKey);
        const startMs = ctx.now();
        const endpoint = ctx.endpoints[api]!;
        const got = protocol === 'http1' ? await sendHttp1(endpoint, c.request) : await h2.send(endpoint, c.request);
        ctx.history.hostile({ type: 'hostile', kind: 'request', name: c.name, protocol, api, startMs, endMs: ctx.now(), expected: c.expected, got });
        await sleep(REQUEST_PAUSE_MS);
      }
    }
  };

  const tasks: Array<Promise<void>> = [requestLoop()];
  ctx.endpoints.forEach((_, api) => SLOW_KINDS.forEach((_, k) => { for (let n = 0; n < SLOW_PER_KIND; n++) tasks.push(slowLoop(api, k)); }));
  ctx.log(`hostile client: ${corpus.length} bad-input cases, ${tasks.length - 1} slow connections`);
  return {
    stop: async () => {
      stopping = true;
      for (const c of slow) c.stop();
      await Promise.all(tasks);
      h2.close();
    },
  };
}
