import * as assert from 'node:assert/strict';
import { createLogger } from '@shoal/wire';
import { WalSyncer } from '../src/wal-sync';

const logger = createLogger('test', {});

/** A sync write the test completes by hand. */
function manualSync(): { syncWrite: () => Promise<void>; calls: () => number; finish: (err?: Error) => void } {
  let calls = 0;
  let settle: ((err?: Error) => void) | undefined;
  return {
    syncWrite: () => { calls++; return new Promise<void>((resolve, reject) => { settle = (err) => (err ? reject(err) : resolve()); }); },
    calls: () => calls,
    finish: (err) => settle?.(err),
  };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WalSyncer (periodic log fsync with --fsync off)', () => {
  it('syncs only after a write, once per write burst', async () => {
    const s = manualSync();
    const syncer = new WalSyncer(s.syncWrite, 60_000, logger);
    syncer.tick();
    assert.equal(s.calls(), 0, 'nothing written: no fsync');
    syncer.written();
    syncer.written();
    syncer.tick();
    assert.equal(s.calls(), 1);
    s.finish();
    await flush();
    syncer.tick();
    assert.equal(s.calls(), 1, 'no write since the last sync');
    await syncer.close();
  });

  it('never overlaps syncs; writes during one are synced by the next', async () => {
    const s = manualSync();
    const syncer = new WalSyncer(s.syncWrite, 60_000, logger);
    syncer.written();
    syncer.tick();
    syncer.written();
    syncer.tick();
    assert.equal(s.calls(), 1, 'one in flight');
    s.finish();
    await flush();
    syncer.tick();
    assert.equal(s.calls(), 2, 'the write during the first sync gets its own');
    s.finish();
    await syncer.close();
  });

  it('a failed sync is retried at the next tick', async () => {
    const s = manualSync();
    const syncer = new WalSyncer(s.syncWrite, 60_000, logger);
    syncer.written();
    syncer.tick();
    s.finish(new Error('disk full'));
    await flush();
    syncer.tick();
    assert.equal(s.calls(), 2);
    s.finish();
    await syncer.close();
  });

  it('runs on its timer and close waits for the sync in flight', async () => {
    const s = manualSync();
    const syncer = new WalSyncer(s.syncWrite, 20, logger);
    syncer.written();
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(s.calls(), 1);
    let closed = false;
    const closing = syncer.close().then(() => { closed = true; });
    await flush();
    assert.equal(closed, false, 'waits for the fsync in flight');
    s.finish();
    await closing;
    assert.equal(closed, true);
  });
});
