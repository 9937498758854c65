import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flipBits } from '../../src/harness/disk-faults';
import { powerCuts, replicaCorruptions } from '../../src/harness/disk-schedules';
import { SeededRandom } from '../../src/workload/seeded-random';

const BASE_DIR = '/tmp/h-chaos-disk';

describe('disk faults', () => {
  let dir: string;
  beforeEach(() => {
    mkdirSync(BASE_DIR, { recursive: true });
    dir = mkdtempSync(join(BASE_DIR, 'db-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('flips exactly the seeded bits, in the write-ahead log when it holds data', () => {
    writeFileSync(join(dir, '000003.log'), Buffer.alloc(4096));
    writeFileSync(join(dir, '000002.ldb'), Buffer.alloc(4096));
    writeFileSync(join(dir, 'MANIFEST-000001'), Buffer.alloc(100));
    const flips = flipBits(dir, 16, 42);
    assert.equal(flips.length, 16);
    assert.ok(flips.every((f) => f.file === '000003.log'));
    const log = readFileSync(join(dir, '000003.log'));
    let ones = 0;
    for (const b of log) for (let i = 0; i < 8; i++) ones += (b >> i) & 1;
    const distinct = new Set(flips.map((f) => `${f.offset}/${f.bit}`)).size;
    assert.ok(ones > 0 && ones <= distinct && (distinct - ones) % 2 === 0, 'each flip toggled one bit (a bit flipped twice is back)');
    assert.deepEqual(readFileSync(join(dir, '000002.ldb')), Buffer.alloc(4096), 'tables untouched');
    rmSync(join(dir, '000003.log'));
    writeFileSync(join(dir, '000003.log'), Buffer.alloc(4096));
    assert.deepEqual(flipBits(dir, 16, 42), flips, 'the same seed flips the same bits');
  });

  it('falls back to the tables when the log is empty, and flips nothing in an empty database', () => {
    writeFileSync(join(dir, '000004.log'), Buffer.alloc(0));
    writeFileSync(join(dir, '000002.ldb'), Buffer.alloc(1000));
    assert.ok(flipBits(dir, 3, 1).every((f) => f.file === '000002.ldb'));
    rmSync(join(dir, '000002.ldb'));
    assert.deepEqual(flipBits(dir, 3, 1), []);
  });

  it('schedules: power cuts every period, corruptions each followed by the leader restart', () => {
    assert.deepEqual(powerCuts(25_000, 5_000, 12_000).map((s) => s.atMs), [5_000, 17_000]);
    const steps = replicaCorruptions(new SeededRandom(7), 30_000, 3_000, 15_000, 8_000, 16);
    assert.deepEqual(steps.map((s) => `${s.action}@${s.atMs}`), ['corrupt-follower@3000', 'restart@11000', 'corrupt-follower@18000', 'restart@26000']);
    assert.deepEqual(replicaCorruptions(new SeededRandom(7), 30_000, 3_000, 15_000, 8_000, 16), steps, 'seeded');
  });
});
