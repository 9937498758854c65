import { strict as assert } from 'node:assert';
import { checkHistory, formatVerdict } from '../../src/check/checker';
import type { ViolationType } from '../../src/check/violations';
import type { History } from '../../src/history/history-format';
import type { DiskEvent } from '../../src/history/disk-format';
import { SHARD0, asHistory, goodHistory } from './history-builder';

function caught(h: History, type: ViolationType, n = 1): void {
  const verdict = checkHistory(h);
  assert.equal(verdict.pass, false, `expected ${type}, the history passed`);
  assert.equal(verdict.expectedLoss, undefined, 'not an expected loss');
  assert.equal(verdict.violations[type], n, `expected ${n} ${type}, got ${JSON.stringify(verdict.violations)}`);
  assert.ok(verdict.details.some((d) => d.type === type && d.context.length > 0), `${type} comes with context`);
}

const corruption: DiskEvent = { type: 'corruption', atMs: 1000, node: 'b1', flips: [{ file: '000005.log', offset: 812, bit: 3 }] };

/** The good history with its final read of SHARD0 missing its last record: one acknowledged record lost. */
function lostOne(settings: Record<string, unknown>): History {
  const h = goodHistory();
  const i = h.reads.findIndex((r) => r.type === 'read' && r.final && r.shardId === SHARD0);
  const final = h.reads[i]!;
  if (final.type !== 'read') throw new Error('not a read');
  h.reads[i] = { ...final, records: final.records.slice(0, -1) };
  return asHistory({ ...h, run: { ...h.run, settings: { ...h.run.settings, ...settings } } });
}

describe('checker: disk faults', () => {
  it('a detected corruption and a corrupted node that leads only once back in the ISR pass', () => {
    const verdict = checkHistory({ ...asHistory(goodHistory()), disk: [corruption, { type: 'corruption-detection', atMs: 5000, node: 'b1', detected: true, line: 'LevelDB corruption detected' }] });
    assert.equal(verdict.pass, true, formatVerdict(verdict));
  });

  it('corruption-undetected: a node restarted on flipped bits that reported nothing', () => {
    caught({ ...asHistory(goodHistory()), disk: [corruption, { type: 'corruption-detection', atMs: 5000, node: 'b1', detected: false }] }, 'corruption-undetected');
  });

  it('corrupt-replica-led: a corrupted node named leader before it was back in the ISR', () => {
    caught({ ...asHistory(goodHistory()), disk: [corruption, { type: 'led-while-rebuilding', atMs: 4000, node: 'b1', shardId: SHARD0, epoch: 3 }] }, 'corrupt-replica-led');
  });

  it('a documented loss reads EXPECTED LOSS n, and only when every violation comes from lost records', () => {
    const reason = '--fsync off: every replica lost power at once';
    const expected = checkHistory(lostOne({ expectedLoss: reason }));
    assert.equal(expected.pass, false, 'the invariants are still broken');
    assert.equal(expected.expectedLoss, 1);
    assert.match(formatVerdict(expected), /verdict {2}EXPECTED LOSS 1 \(documented: --fsync off/);
    const undocumented = checkHistory(lostOne({}));
    assert.equal(undocumented.expectedLoss, undefined, 'without a documented reason a loss is a FAIL');
    const crashed = checkHistory({ ...lostOne({ expectedLoss: reason }), exits: [{ type: 'exit', atMs: 2000, name: 'b1', role: 'storage-node', pid: 7 }] });
    assert.equal(crashed.expectedLoss, undefined, 'a crash besides the loss is a FAIL');
    assert.equal(checkHistory({ ...asHistory(goodHistory()), run: { ...goodHistory().run, settings: { expectedLoss: reason } } }).pass, true, 'no loss: PASS');
  });
});
