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
});
