import { strict as assert } from 'node:assert';
import { progressBar, progressLine, summaryLine, type ProgressSnapshot } from '../src/put/progress';

const MIB = 1024 * 1024;
const snap = (over: Partial<ProgressSnapshot>): ProgressSnapshot => ({ records: 0, bytes: 0, failed: 0, retried: 0, elapsedMs: 0, inputBytesDone: 0, ...over });

describe('put progress text', () => {
  it('draws a bar with percentage, rates and ETA when the input size is known', () => {
    const s = snap({ records: 40_000, bytes: 4 * MIB, elapsedMs: 4_000, inputBytesDone: 25, inputBytesTotal: 100 });
    assert.equal(progressBar(s, 20), '[#####...............]  25%  40000 records  4.0 MiB  10000 records/s  1.00 MiB/s  ETA 12s');
  });

  it('draws counts and elapsed time without a known size, and says what was retried or failed', () => {
    const s = snap({ records: 500, bytes: MIB / 2, elapsedMs: 2_000, retried: 7, failed: 2 });
    assert.equal(progressBar(s, 20), '500 records  0.5 MiB  250 records/s  0.25 MiB/s  7 retried, 2 failed  2s');
  });

  it('has a full bar and no ETA at the end, and no division by zero at the start', () => {
    assert.match(progressBar(snap({ records: 10, elapsedMs: 1000, inputBytesDone: 100, inputBytesTotal: 100 }), 4), /^\[####\] 100% .*records\/s  0\.00 MiB\/s$/);
    assert.match(progressBar(snap({ inputBytesTotal: 100 }), 4), /^\[\.\.\.\.\]   0%  0 records  0\.0 MiB  0 records\/s/);
  });

  it('prints plain progress lines and a summary', () => {
    const s = snap({ records: 100_000, bytes: 10 * MIB, elapsedMs: 125_000, inputBytesDone: 50, inputBytesTotal: 100 });
    assert.equal(progressLine(s), 'put: 100000 records  10.0 MiB  800 records/s  0.08 MiB/s  (50% of the input, 2m05s)');
    assert.equal(summaryLine(s), 'put 100000 records (10.0 MiB) in 2m05s: 800 records/s, 0.08 MiB/s');
    assert.equal(summaryLine(snap({ records: 1, elapsedMs: 7_300_000, failed: 3 })), 'put 1 records (0.0 MiB) in 2h01m: 0 records/s, 0.00 MiB/s; 3 failed');
  });
});
