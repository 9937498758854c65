/**
 * The text of `put`'s progress, pure: a bar for terminals, a plain line for
 * logs and pipes, and the closing summary. Rates are averages since the
 * start; the percentage and ETA come from the input's bytes done (put or
 * given up on), when the input's size is known (a file).
 */

export interface ProgressSnapshot {
  /** Records acknowledged so far. */
  readonly records: number;
  /** Their bytes (data + partition keys). */
  readonly bytes: number;
  /** Records given up on (failed after every attempt, or lines that could not become records). */
  readonly failed: number;
  /** Record sends that were retries. */
  readonly retried: number;
  readonly elapsedMs: number;
  /** Input bytes whose lines are put (or given up on) so far, and in all when known. */
  readonly inputBytesDone: number;
  readonly inputBytesTotal?: number;
}

const MIB = 1024 * 1024;

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}

function fraction(s: ProgressSnapshot): number | undefined {
  if (s.inputBytesTotal === undefined || s.inputBytesTotal <= 0) return undefined;
  return Math.min(1, s.inputBytesDone / s.inputBytesTotal);
}

function duration(ms: number): string {
  const sec = Math.max(0, Math.round(ms / 1000));
  if (sec < 60) return `${sec}s`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m${String(sec % 60).padStart(2, '0')}s`;
  return `${Math.floor(sec / 3600)}h${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}m`;
}

function counts(s: ProgressSnapshot): string {
  const extra = [s.retried > 0 ? `${s.retried} retried` : '', s.failed > 0 ? `${s.failed} failed` : ''].filter(Boolean).join(', ');
  return `${s.records} records  ${mib(s.bytes)}  ${Math.round(perSecond(s.records, s.elapsedMs))} records/s  ` +
    `${(perSecond(s.bytes, s.elapsedMs) / MIB).toFixed(2)} MiB/s${extra ? '  ' + extra : ''}`;
}

/** `[#########...............]  38%  38000 records  3.7 MiB  9500 records/s  0.93 MiB/s  ETA 6s` (no bar without a known size). */
export function progressBar(s: ProgressSnapshot, width: number): string {
  const f = fraction(s);
  if (f === undefined) return `${counts(s)}  ${duration(s.elapsedMs)}`;
  const filled = Math.round(f * width);
  const eta = f > 0 && f < 1 ? `  ETA ${duration((s.elapsedMs * (1 - f)) / f)}` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%  ${counts(s)}${eta}`;
}

/** `put: 38000 records  3.7 MiB  9500 records/s  0.93 MiB/s  (38% of the input, 4s)`. */
export function progressLine(s: ProgressSnapshot): string {
  const f = fraction(s);
  return `put: ${counts(s)}  (${f === undefined ? '' : `${Math.floor(f * 100)}% of the input, `}${duration(s.elapsedMs)})`;
}

/** The closing line: `put 100000 records (9.6 MiB) in 10s: 10000 records/s, 0.96 MiB/s`. */
export function summaryLine(s: ProgressSnapshot): string {
  const tail = [s.retried > 0 ? `${s.retried} retried` : '', s.failed > 0 ? `${s.failed} failed` : ''].filter(Boolean).join(', ');
  return `put ${s.records} records (${mib(s.bytes)}) in ${duration(s.elapsedMs)}: ${Math.round(perSecond(s.records, s.elapsedMs))} records/s, ` +
    `${(perSecond(s.bytes, s.elapsedMs) / MIB).toFixed(2)} MiB/s${tail ? `; ${tail}` : ''}`;
}
