/**
 * A scenario may document a loss the product accepts by design (e.g.
 * power-cut-fast: every replica loses power at once with `--fsync off`,
 * see storage-node main.ts). Its run declares the reason
 * (RunInfo.settings.expectedLoss); its verdict then reads EXPECTED LOSS n
 * instead of FAIL, provided every violation is a consequence of lost
 * records. Anything else (a crash, phantom records, replicas that do not
 * converge, an incomplete final read) still fails it.
 */
import type { RunInfo } from '../history/history-format';
import type { ViolationType } from './violations';

/** What losing acknowledged records (and then reusing their sequence numbers) looks like in a history. */
export const LOSS_VIOLATIONS: ReadonlySet<ViolationType> = new Set<ViolationType>([
  'lost-ack', 'divergent-history', 'ack-order-violated', 'key-order-violated', 'reader-went-backwards', 'reader-skipped-record', 'arrival-time-decreased',
]);

/** The documented reason for a loss, if the run declares one. */
export function expectedLossReason(run: RunInfo): string | undefined {
  const reason = run.settings?.['expectedLoss'];
  return typeof reason === 'string' ? reason : undefined;
}

/** The number of lost acknowledged records to report as expected, or undefined if the verdict is a plain PASS or FAIL. */
export function expectedLossOf(run: RunInfo, lost: number, violations: Readonly<Record<ViolationType, number>>): number | undefined {
  if (expectedLossReason(run) === undefined) return undefined;
  const broken = (Object.entries(violations) as Array<[ViolationType, number]>).filter(([, n]) => n > 0);
  if (broken.length === 0) return undefined;
  return broken.every(([t]) => LOSS_VIOLATIONS.has(t)) ? lost : undefined;
}
