/** The master key as operators give it (file or value), and the nonces that must never repeat under a data key. */
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TempDirs } from '@shoal/testkit';
import { loadMasterKey, parseMasterKey } from '../../src/encryption/master-key';
import { CounterNonces } from '../../src/encryption/record-crypto';

describe('master key', () => {
  const dirs = new TempDirs('shoal-master-key-');
  after(() => dirs.removeAll());

  const key = Buffer.alloc(32, 0xab);

  it('reads 32 bytes as base64 or hex, from a file readable by its owner only or from the value', () => {
    const dir = dirs.make();
    const file = join(dir, 'master.key');
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600 });
    const fromFile = loadMasterKey(file, undefined)!;
    assert.deepEqual(fromFile.key, key);
    assert.match(fromFile.id, /^[0-9a-f]{16}$/);
    assert.deepEqual(loadMasterKey(undefined, key.toString('hex'))!.key, key);
    assert.equal(loadMasterKey(undefined, fromFile.key.toString('base64'))!.id, fromFile.id, 'the fingerprint depends on the key only');
    assert.equal(loadMasterKey(undefined, undefined), undefined);
    chmodSync(file, 0o644);
    assert.throws(() => loadMasterKey(file, undefined), /readable by group or others/);
  });

  it('refuses keys of another size or encoding', () => {
    for (const text of ['', 'c2hvcnQ=', Buffer.alloc(31).toString('base64'), `${key.toString('base64')}!`, 'zz'.repeat(32)]) {
      assert.throws(() => parseMasterKey(text, 'test'), /must be 32 bytes/, text);
    }
  });
});

describe('CounterNonces', () => {
  it('never repeats: a counter under a random prefix, a new prefix when the counter wraps', () => {
    let draws = 0;
    const nonces = new CounterNonces((n) => Buffer.alloc(n, ++draws));
    const first = nonces.next();
    const second = nonces.next();
    assert.equal(first.length, 12);
    assert.equal(first.subarray(0, 8).toString('hex'), '0101010101010101');
    assert.deepEqual([first.readUInt32BE(8), second.readUInt32BE(8)], [0, 1]);
    (nonces as unknown as { counter: number }).counter = 0x1_0000_0000;
    const wrapped = nonces.next();
    assert.equal(wrapped.subarray(0, 8).toString('hex'), '0202020202020202');
    assert.equal(wrapped.readUInt32BE(8), 0);
    assert.equal(draws, 2);
  });
});
