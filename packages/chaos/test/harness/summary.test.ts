import { strict as assert } from 'node:assert';
import { markdownTable, terminalTable, type SummaryRow } from '../../src/harness/summary';

describe('summary tables', () => {
  const rows: SummaryRow[] = [
    { scenario: 'leader-kill-loop', faults: 'SIGKILL a leader', pass: true, acknowledged: 5000, lost: 0, duplicates: 2, maxWriteGapMs: 3120, violations: 0, folder: 'x' },
    { scenario: 'az-outage', faults: 'kill an AZ', pass: false, acknowledged: 10, lost: 1, duplicates: 0, maxWriteGapMs: 0, violations: 1, folder: 'y' },
  ];
  it('renders the README table and the terminal table', () => {
    assert.equal(markdownTable(rows).split('\n')[2], '| leader-kill-loop | SIGKILL a leader | pass | 5000 | 0 | 2 | 3.1 s |');
    assert.match(terminalTable(rows).split('\n')[2]!, /^az-outage\s+FAIL\s+10\s+1\s+0\s+0\.0 s\s+1$/);
  });
  it('shows a documented loss as EXPECTED LOSS n, not as PASS or FAIL', () => {
    const row: SummaryRow = { scenario: 'power-cut-fast', faults: 'power cut, --fsync off', pass: true, acknowledged: 900, lost: 120, duplicates: 0, maxWriteGapMs: 0, violations: 240, folder: 'z', expectedLoss: 120 };
    assert.match(terminalTable([row]).split('\n')[1]!, /^power-cut-fast\s+EXPECTED LOSS 120\s+900\s+120\s/);
    assert.equal(markdownTable([row]).split('\n')[2], '| power-cut-fast | power cut, --fsync off | expected loss 120 (documented) | 900 | 120 | 0 | 0.0 s |');
  });
});
