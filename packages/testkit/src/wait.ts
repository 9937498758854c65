/** Polling until a condition holds, for tests of processes that converge. */
import { setTimeout as sleep } from 'node:timers/promises';

/** How often `waitUntil` checks unless told otherwise. */
export const WAIT_POLL_MS = 50;
/** How long `waitUntil` waits unless told otherwise. */
export const WAIT_TIMEOUT_MS = 10_000;

/** Resolves once `check` holds; rejects with "timed out waiting for <what>" after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = WAIT_TIMEOUT_MS, pollMs = WAIT_POLL_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}
