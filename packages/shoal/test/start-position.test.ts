import { strict as assert } from 'node:assert';
import { parseStartPosition, StartPositionError } from '../src/start-position';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

describe('start position (--from)', () => {
  it('reads the named positions in any case and spelling', () => {
    for (const t of ['trim-horizon', 'TRIM_HORIZON', 'Trim_Horizon', 'oldest', 'earliest']) assert.deepEqual(parseStartPosition(t, NOW), { type: 'TRIM_HORIZON' });
    for (const t of ['latest', 'LATEST', 'now']) assert.deepEqual(parseStartPosition(t, NOW), { type: 'LATEST' });
  });

  it('reads ISO 8601 times, epoch seconds and ages', () => {
    assert.deepEqual(parseStartPosition('2026-12-03T10:00:00Z', NOW), { type: 'AT_TIMESTAMP', timestampMs: Date.UTC(2026, 11, 3, 10) });
    assert.deepEqual(parseStartPosition('2026-12-03T10:00:00.250+01:00', NOW), { type: 'AT_TIMESTAMP', timestampMs: Date.UTC(2026, 11, 3, 9, 0, 0, 250) });
    assert.deepEqual(parseStartPosition('2026-12-03', NOW), { type: 'AT_TIMESTAMP', timestampMs: Date.UTC(2026, 11, 3) });
    assert.deepEqual(parseStartPosition('@1764756000', NOW), { type: 'AT_TIMESTAMP', timestampMs: 1764756000_000 });
    assert.deepEqual(parseStartPosition('@1764756000.5', NOW), { type: 'AT_TIMESTAMP', timestampMs: 1764756000_500 });
    assert.deepEqual(parseStartPosition('10m', NOW), { type: 'AT_TIMESTAMP', timestampMs: NOW - 600_000 });
    assert.deepEqual(parseStartPosition('2h', NOW), { type: 'AT_TIMESTAMP', timestampMs: NOW - 7_200_000 });
    assert.deepEqual(parseStartPosition('1d', NOW), { type: 'AT_TIMESTAMP', timestampMs: NOW - 86_400_000 });
    assert.deepEqual(parseStartPosition('30s', NOW), { type: 'AT_TIMESTAMP', timestampMs: NOW - 30_000 });
    assert.deepEqual(parseStartPosition('500ms', NOW), { type: 'AT_TIMESTAMP', timestampMs: NOW - 500 });
  });

  it('reads digits as a sequence number (the API pattern: no leading zero, at most 129 digits)', () => {
    const seq = '49590338271490256608559692538361571095921575989136588898';
    assert.deepEqual(parseStartPosition(seq, NOW), { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: seq });
    assert.deepEqual(parseStartPosition('0', NOW), { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '0' });
    assert.deepEqual(parseStartPosition('1' + '0'.repeat(128), NOW), { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '1' + '0'.repeat(128) });
    assert.throws(() => parseStartPosition('1' + '0'.repeat(129), NOW), StartPositionError);
    assert.throws(() => parseStartPosition('0123', NOW), StartPositionError);
  });

  it('refuses anything else', () => {
    for (const t of ['', 'yesterday', '10 minutes', '2026-13-45T99:00:00Z', '2026/12/03', '-5m', '@']) {
      assert.throws(() => parseStartPosition(t, NOW), StartPositionError, t);
    }
  });
});
