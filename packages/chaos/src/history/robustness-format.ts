/**
 * History lines of the robustness checks (see history-format.ts for the
 * common conventions: JSONL, harness epoch ms):
 *
 *   exits.jsonl    ProcessExit: a cluster process the harness found gone
 *                  although nothing the harness did ended it (a crash).
 *   hostile.jsonl  HostileProbe: one line per bad request of the hostile
 *                  client (the Kinesis error expected and the answer got)
 *                  and per slow client (how long the api kept it open).
 */

export const ROBUSTNESS_FILES = { exits: 'exits.jsonl', hostile: 'hostile.jsonl' } as const;

export interface ProcessExit {
  readonly type: 'exit';
  /** When the watch found the process gone (it ended at most one poll earlier). */
  readonly atMs: number;
  readonly name: string;
  readonly role: string;
  readonly pid: number;
  /** The last lines of its log. */
  readonly logTail?: string;
}

/** What a bad request must get: an HTTP status (or a status class like 4) and/or a Kinesis error type and message part. */
export interface ExpectedAnswer {
  readonly status?: number;
  /** 4 = any 4xx. */
  readonly statusClass?: number;
  readonly type?: string;
  readonly messageIncludes?: string;
}

export interface GotAnswer {
  readonly status?: number;
  readonly type?: string;
  readonly message?: string;
  /** A transport error instead of an answer (reset, timeout). */
  readonly error?: string;
}

export interface HostileRequest {
  readonly type: 'hostile';
  readonly kind: 'request';
  readonly name: string;
  readonly protocol: 'http1' | 'http2';
  readonly api: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly expected: ExpectedAnswer;
  readonly got: GotAnswer;
}

/** A slowloris connection: it trickled bytes until the api closed it (or the harness gave up at closedMs undefined). */
export interface SlowClient {
  readonly type: 'hostile';
  readonly kind: 'slow';
  readonly name: string;
  readonly protocol: 'http1' | 'http2';
  readonly api: number;
  readonly startMs: number;
  /** When the api closed the connection; absent if it was still open when the client stopped. */
  readonly closedMs?: number;
  readonly endMs: number;
  /** The api must close such a connection within this many ms. */
  readonly closeWithinMs: number;
}

export type HostileProbe = HostileRequest | SlowClient;
