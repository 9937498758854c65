/**
 * Wall-clock time of a process (epoch ms) for everything that records or
 * compares calendar time (arrival timestamps, iterator issue times), with an
 * injectable offset so a test can skew one process's clock:
 * SHOAL_CLOCK_OFFSET_MS (integer ms, may be negative; read once). Used by
 * the storage node, the api and the controller (its record times and
 * timeouts). Protocol
 * timeouts and leases use monotonic clocks and are not affected.
 */

let offsetMs: number | undefined;

export function parseClockOffsetMs(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 0;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new Error(`SHOAL_CLOCK_OFFSET_MS must be an integer, got ${text}`);
  return n;
}

/** Date.now() plus the process's clock offset. */
export function wallClockMs(): number {
  offsetMs ??= parseClockOffsetMs(process.env['SHOAL_CLOCK_OFFSET_MS']);
  return Date.now() + offsetMs;
}
