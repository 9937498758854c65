import { strict as assert } from 'node:assert';
import { entryFromLine, isProblem, PutBatcher, type PutEntry } from '../src/put/put-batcher';

const NO_RANDOM = (): string => { throw new Error('no random key expected'); };
const entry = (line: number, bytes: number): PutEntry => ({ line, partitionKey: 'k', data: Buffer.alloc(bytes - 1), bytes, inputBytes: bytes });

describe('put entries from lines', () => {
  it('skips empty lines', () => {
    assert.equal(entryFromLine(Buffer.alloc(0), 1, { kind: 'random' }, NO_RANDOM, 100), undefined);
  });

  it('uses the fixed key, a random key per record, or the key before the separator', () => {
    const fixed = entryFromLine(Buffer.from('hello'), 3, { kind: 'fixed', key: 'k1' }, NO_RANDOM, 100);
    assert.deepEqual(fixed, { line: 3, partitionKey: 'k1', data: Buffer.from('hello'), bytes: 7, inputBytes: 6 });
    let n = 0;
    const random = entryFromLine(Buffer.from('x'), 1, { kind: 'random' }, () => `r${++n}`, 100);
    assert.ok(random && !isProblem(random) && random.partitionKey === 'r1');
    const perLine = entryFromLine(Buffer.from('user-7\t{"a":1}\tz'), 2, { kind: 'per-line', separator: '\t' }, NO_RANDOM, 100);
    assert.ok(perLine && !isProblem(perLine));
    assert.equal(perLine.partitionKey, 'user-7');
    assert.equal(perLine.data.toString(), '{"a":1}\tz');
    const multi = entryFromLine(Buffer.from('k::v'), 2, { kind: 'per-line', separator: '::' }, NO_RANDOM, 100);
    assert.ok(multi && !isProblem(multi) && multi.partitionKey === 'k' && multi.data.toString() === 'v');
    const emptyData = entryFromLine(Buffer.from('k,'), 2, { kind: 'per-line', separator: ',' }, NO_RANDOM, 100);
    assert.ok(emptyData && !isProblem(emptyData) && emptyData.data.length === 0 && emptyData.bytes === 1);
  });

  it('reports lines that cannot be records: no separator, empty or long key, too many bytes', () => {
    const problem = (text: string, max = 100): string => {
      const e = entryFromLine(Buffer.from(text), 9, { kind: 'per-line', separator: ',' }, NO_RANDOM, max);
      assert.ok(e && isProblem(e), text);
      assert.equal(e.line, 9);
      return e.message;
    };
    assert.match(problem('no separator'), /no "," separating/);
    assert.match(problem(',data'), /1 to 256 characters, it has 0/);
    assert.match(problem('k'.repeat(257) + ',d', 1000), /it has 257/);
    assert.match(problem('k,' + 'd'.repeat(100)), /the record has 101 bytes, more than 100/);
    // the bound counts data and the key's UTF-8 bytes: 'é' is 2 bytes
    const e = entryFromLine(Buffer.from('é,' + 'd'.repeat(98)), 1, { kind: 'per-line', separator: ',' }, NO_RANDOM, 100);
    assert.ok(e && !isProblem(e) && e.bytes === 100);
    const over = entryFromLine(Buffer.from('é,' + 'd'.repeat(99)), 1, { kind: 'per-line', separator: ',' }, NO_RANDOM, 100);
    assert.ok(over && isProblem(over));
  });
});

describe('put batcher', () => {
  it('closes a batch at exactly the record bound', () => {
    const b = new PutBatcher(500, 5 * 1024 * 1024);
    for (let i = 1; i < 500; i++) assert.deepEqual(b.add(entry(i, 10)), []);
    const [full, ...rest] = b.add(entry(500, 10));
    assert.equal(full!.length, 500);
    assert.equal(rest.length, 0);
    assert.equal(b.pendingRecords, 0);
    assert.equal(b.flush(), undefined);
  });

  it('closes a batch at exactly the byte bound, and before an entry that would pass it', () => {
    const b = new PutBatcher(500, 100);
    assert.deepEqual(b.add(entry(1, 60)), []);
    const [exact] = b.add(entry(2, 40));
    assert.deepEqual(exact!.map((e) => e.line), [1, 2]);
    assert.deepEqual(b.add(entry(3, 60)), []);
    const [before] = b.add(entry(4, 41));
    assert.deepEqual(before!.map((e) => e.line), [3]);
    assert.deepEqual(b.flush()!.map((e) => e.line), [4]);
  });

  it('sends an entry larger than the byte bound alone, closing the batch before it', () => {
    const b = new PutBatcher(500, 100);
    b.add(entry(1, 10));
    const out = b.add(entry(2, 150));
    assert.deepEqual(out.map((batch) => batch.map((e) => e.line)), [[1], [2]]);
    assert.equal(b.pendingRecords, 0);
  });

  it('keeps input order across batches', () => {
    const b = new PutBatcher(3, 1000);
    const lines: number[] = [];
    for (let i = 1; i <= 10; i++) for (const batch of b.add(entry(i, 5))) lines.push(...batch.map((e) => e.line));
    lines.push(...(b.flush() ?? []).map((e) => e.line));
    assert.deepEqual(lines, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
