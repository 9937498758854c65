import { strict as assert } from 'node:assert';
import { LineQueue, type Scheduler } from '../src/put/line-queue';

/** Timers run only when the test says so. */
class FakeTimers {
  private timers: { fn: () => void; cancelled: boolean; ms: number }[] = [];
  readonly schedule: Scheduler = (fn, ms) => {
    const t = { fn, cancelled: false, ms };
    this.timers.push(t);
    return () => { t.cancelled = true; };
  };
  fire(): number {
    const due = this.timers.filter((t) => !t.cancelled);
    this.timers = [];
    for (const t of due) t.fn();
    return due.length;
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('line queue', () => {
  it('hands items over in order, then end', async () => {
    const q = new LineQueue<number>(10, 1000, () => 1);
    await q.push(1);
    await q.push(2);
    q.end();
    assert.deepEqual(await q.take(), { kind: 'item', item: 1 });
    assert.deepEqual(await q.take(), { kind: 'item', item: 2 });
    assert.deepEqual(await q.take(), { kind: 'end' });
  });

  it('holds the pusher while full (by count and by bytes) until the taker takes', async () => {
    const q = new LineQueue<number>(2, 1000, (n) => n);
    await q.push(1);
    await q.push(2);
    let third = false;
    const pushing = q.push(3).then(() => { third = true; });
    await tick();
    assert.equal(third, false);
    await q.take();
    await pushing;
    assert.equal(third, true);

    const bytes = new LineQueue<number>(100, 10, (n) => n);
    await bytes.push(10);  // an empty queue takes any item
    let next = false;
    const p = bytes.push(1).then(() => { next = true; });
    await tick();
    assert.equal(next, false);
    await bytes.take();
    await p;
    assert.equal(next, true);
  });

  it('answers timeout when nothing comes within the time, and cancels the timer when something does', async () => {
    const timers = new FakeTimers();
    const q = new LineQueue<number>(10, 1000, () => 1, timers.schedule);
    const waiting = q.take(100);
    await tick();
    assert.equal(timers.fire(), 1);
    assert.deepEqual(await waiting, { kind: 'timeout' });
    const second = q.take(100);
    await q.push(7);
    assert.deepEqual(await second, { kind: 'item', item: 7 });
    assert.equal(timers.fire(), 0);
    const third = q.take();
    await tick();
    assert.equal(timers.fire(), 0); // no time bound: no timer
    q.end();
    assert.deepEqual(await third, { kind: 'end' });
  });

  it('throws the input failure at the taker', async () => {
    const q = new LineQueue<number>(10, 1000, () => 1);
    const waiting = q.take();
    q.fail(new Error('EIO'));
    await assert.rejects(waiting, /EIO/);
  });

  it('stays bounded under a steady flow (the backing array is compacted)', async () => {
    const q = new LineQueue<number>(4, 1000, () => 1);
    for (let i = 0; i < 3; i++) await q.push(i);
    for (let i = 3; i < 10_000; i++) {
      await q.push(i);
      const t = await q.take();
      assert.deepEqual(t, { kind: 'item', item: i - 3 });
    }
    assert.ok((q as unknown as { items: unknown[] }).items.length <= 8);
  });
});
