import * as assert from 'node:assert/strict';
import { ReplicaMachine } from '../../src/replication/replica-machine';
import { HW_ONLY_SEND_DELAY_MS, ISR_LAG_TIME_MAX_MS, REPLICATION_RESEND_TIMEOUT_MS, SEAL_RETRY_MS } from '../../src/replication/replication-limits';
import { Sim } from './sim';

const ABC = ['a', 'b', 'c'] as const;
const config = (epoch = 1, leader = 'a', isr: readonly string[] = ABC) => ({ epoch, leader, replicas: ABC, isr, revision: epoch * 100 + isr.length });

function assertSameLogs(sim: Sim, ids: readonly string[]): void {
  const ref = JSON.stringify(sim.log(ids[0]!));
  for (const id of ids) assert.equal(JSON.stringify(sim.log(id)), ref, `log of ${id} differs`);
}

describe('replication/replica-machine', () => {
  it('happy path: appends reach every replica, hw follows the slowest ISR member', () => {
    const sim = new Sim(ABC, config());
    sim.deliverAll(); // initial probes
    assert.equal(sim.append(3), undefined);
    assert.equal(sim.append(2), undefined);
    assert.equal(sim.m('a').highWatermark(), 0, 'nothing committed before acks');
    sim.deliverAll((p) => p.to === 'b' || (p.kind === 'ack' && p.from === 'b'));
    assert.equal(sim.m('a').highWatermark(), 0, 'c is in the ISR and lacks the entries');
    sim.deliverAll();
    assert.equal(sim.m('a').highWatermark(), 5);
    assertSameLogs(sim, ABC);
    sim.advance(1000); // heartbeat carries hw to followers
    sim.deliverAll();
    assert.equal(sim.m('b').highWatermark(), 5);
    assert.equal(sim.m('c').highWatermark(), 5);
    assert.deepEqual([...sim.m('a').followerLogEnds()], [['b', 5], ['c', 5]]);
  });

  it('hw advances with a 2-member ISR but never with fewer than MIN_INSYNC_REPLICAS', () => {
    const sim = new Sim(ABC, config(1, 'a', ['a', 'b']));
    sim.append(4);
    sim.deliverAll((p) => p.to !== 'c' && p.from !== 'c');
    assert.equal(sim.m('a').highWatermark(), 4, 'c is out of the ISR, so it does not hold hw back');
    sim.applyConfig(config(1, 'a', ['a']));
    assert.equal(sim.append(1), 'NOT_ENOUGH_REPLICAS');
    assert.equal(sim.m('a').highWatermark(), 4);
  });

  it('a dropped append is resent after the resend timeout', () => {
    const sim = new Sim(ABC, config());
    sim.deliverAll();
    sim.append(2);
    assert.equal(sim.drop((p) => p.to === 'c'), 1);
    sim.deliverAll();
    assert.equal(sim.m('a').highWatermark(), 0);
    assert.deepEqual(sim.log('c'), []);
    sim.advance(REPLICATION_RESEND_TIMEOUT_MS);
    sim.deliverAll();
    assert.equal(sim.m('a').highWatermark(), 2);
    assertSameLogs(sim, ABC);
  });

  it('resends what no ack covers when an ack without a sendSeq, of a message sent before a reset, took the count of a lost one', () => {
    const sim = new Sim(ABC, config());
    sim.echoSendSeq = false;
    sim.deliverAll();
    sim.append(2);
    sim.deliverAll();
    // A probe without entries to c, delivered, its ack (end 2) still on the way back.
    sim.m('a').followerDisconnected('c', sim.nowMs);
    sim.pump();
    sim.deliverAll((p) => p.kind === 'append' && p.to === 'c');
    // c's stream breaks again; the next entries to c are lost; the old ack arrives.
    sim.m('a').followerDisconnected('c', sim.nowMs);
    sim.append(1);
    assert.equal(sim.drop((p) => p.kind === 'append' && p.to === 'c'), 1);
    sim.deliverAll();
    assert.equal(sim.m('a').highWatermark(), 2, 'c lacks entry 2');
    sim.advance(REPLICATION_RESEND_TIMEOUT_MS);
    sim.deliverAll();
    assert.equal(sim.m('a').highWatermark(), 3);
    assertSameLogs(sim, ABC);
  });

  it('ignores acks of sends made before a reset: an error ack from before neither resets nor backs off the sends after it', () => {
    const sim = new Sim(ABC, config());
    sim.deliverAll();
    sim.append(2);
    sim.deliverAll((p) => p.to === 'b' || p.from === 'b');
    // c's stream breaks while the append (sendSeq 2, after the probe) is on its way; the leader resends it.
    const [lost] = sim.net.filter((p) => p.kind === 'append' && p.to === 'c');
    assert.ok(lost && lost.kind === 'append');
    sim.m('a').followerDisconnected('c', sim.nowMs);
    sim.pump();
    const resent = sim.net.filter((p) => p.kind === 'append' && p.to === 'c');
    assert.equal(resent.length, 2, 'the resend is out after the lost message');
    // The message from before the reset comes back with an error: stale, it changes nothing.
    sim.drop((p) => p === lost);
    sim.m('a').onAck('c', { epoch: 1, error: 'SHARD_NOT_FOUND', logEndOffset: 0, lastEpoch: 0, highWatermark: 0, sendSeq: lost.sendSeq }, sim.nowMs);
    sim.append(1);
    assert.ok(sim.net.some((p) => p.kind === 'append' && p.to === 'c' && p.msg.startOffset === 2), 'sends to c go on at once, without a retry backoff');
    sim.deliverAll();
    assert.equal(sim.m('a').highWatermark(), 3);
    assertSameLogs(sim, ABC);
  });

  it('a fresh ack after a reset still counts: an error from the resent message backs off', () => {
    const sim = new Sim(ABC, config());
    sim.deliverAll();
    sim.m('a').followerDisconnected('c', sim.nowMs);
    sim.append(2);
    const [sent] = sim.net.filter((p) => p.kind === 'append' && p.to === 'c');
    assert.ok(sent && sent.kind === 'append');
    sim.drop((p) => p === sent);
    sim.m('a').onAck('c', { epoch: 1, error: 'SHARD_NOT_FOUND', logEndOffset: 0, lastEpoch: 0, highWatermark: 0, sendSeq: sent.sendSeq }, sim.nowMs);
    sim.append(1);
    assert.ok(!sim.net.some((p) => p.kind === 'append' && p.to === 'c'), 'c is backed off');
  });

  it('pipelines: reordered-away acks and mismatch storms converge', () => {
    const sim = new Sim(ABC, config());
    sim.deliverAll();
    for (let i = 0; i < 5; i++) sim.append(1);
    // Lose only the first append to c; the later ones arrive out of line.
    const first = sim.net.findIndex((p) => p.to === 'c');
    sim.net.splice(first, 1);
    sim.deliverAll();
    assert.equal(sim.m('a').highWatermark(), 5);
    assertSameLogs(sim, ABC);
  });

  it('a restarted follower probes and catches up from its own log end', () => {
    const sim = new Sim(ABC, config());
    sim.deliverAll();
    sim.append(3);
    sim.deliverAll();
    sim.restart('c');
    sim.append(2);
    sim.append(2);
    sim.deliverAll();
    assert.equal(sim.m('c').logEndOffset(), 7);
    assert.equal(sim.m('a').highWatermark(), 7);
    assertSameLogs(sim, ABC);
  });

  it('a lagging follower catches up with a pipelined resend of many batches', () => {
    const sim = new Sim(ABC, config(1, 'a', ['a', 'b']));
    sim.deliverAll();
    for (let i = 0; i < 50; i++) {
      sim.append(10);
      sim.drop((p) => p.to === 'c' || p.from === 'c');
      sim.deliverAll();
    }
    assert.equal(sim.m('a').highWatermark(), 500);
    assert.equal(sim.m('c').logEndOffset(), 0);
    sim.advance(REPLICATION_RESEND_TIMEOUT_MS);
    sim.deliverAll();
    assert.equal(sim.m('c').logEndOffset(), 500);
    assertSameLogs(sim, ABC);
  });

  it('a leader restart keeps its log and hw and carries on', () => {
    const sim = new Sim(ABC, config());
    sim.deliverAll();
    sim.append(3);
    sim.deliverAll();
    sim.restart('a');
    assert.equal(sim.m('a').highWatermark(), 3);
    sim.append(1);
    sim.deliverAll();
    assert.equal(sim.m('a').highWatermark(), 4);
    assertSameLogs(sim, ABC);
  });

  it('stale epochs are rejected, and a deposed leader stops taking appends', () => {
    const sim = new Sim(ABC, config());
    sim.deliverAll();
    sim.append(1);
    sim.deliverAll();
    // The controller moves leadership to b at epoch 2; a has not seen it yet.
    sim.m('b').applyConfig(config(2, 'b'), sim.nowMs);
    sim.m('c').applyConfig(config(2, 'b'), sim.nowMs);
    sim.append(1); // a still believes it leads epoch 1
    sim.deliverAll();
    assert.ok(sim.trace.some((t) => /a->b append 1\+1b e1 -> STALE_EPOCH/.test(t)), sim.trace.join('\n'));
    assert.equal(sim.m('a').appendRefusal(sim.nowMs), 'NOT_LEADER', 'the STALE_EPOCH ack fences the old leader');
    assert.equal(sim.m('a').highWatermark(), 1, 'the epoch-1 entry at offset 1 is never committed');
  });

  it('a leader deposed by an ack of a newer epoch sends nothing under that epoch (chaos zombie-leader regression)', () => {
    const sim = new Sim(ABC, config());
    sim.deliverAll();
    sim.append(2);
    sim.deliverAll();
    sim.m('b').applyConfig(config(2, 'b'), sim.nowMs);
    sim.m('c').applyConfig(config(2, 'b'), sim.nowMs);
    sim.append(1); // the zombie appends at epoch 1; b and c answer STALE_EPOCH with epoch 2
    sim.deliverAll();
    assert.equal(sim.m('a').epoch(), 2);
    const before = sim.trace.length;
    sim.advance(REPLICATION_RESEND_TIMEOUT_MS * 2);
    sim.deliverAll();
    // Before the fix, a kept leading with the learned epoch 2: its probes and KIP-279 truncations were
    // accepted by b and c as coming from the epoch-2 leader, and a follower crashed truncating below its hw.
    const fromA = sim.trace.slice(before).filter((t) => t.startsWith('a->') && t.includes(' append '));
    assert.deepEqual(fromA, [], fromA.join('\n'));
    assert.deepEqual(sim.m('a').sendsDue(sim.nowMs), []);
  });

  it('a zombie leader back from a partition refuses a newer epoch until its shard record arrives, then truncates as a follower (chaos zombie-leader regression)', () => {
    // a led epoch 1 and appended [3, 5) alone while cut off (hw 3); b now leads epoch 2 and asks a to
    // truncate its divergent suffix. a's view still says "a leads epoch 1": it took the truncation as
    // leader and crashed the node ("a leader never truncates its log").
    const m = new ReplicaMachine('a', { epoch: 1, logStartOffset: 0, logEndOffset: 5, highWatermark: 3, epochCache: [{ epoch: 1, startOffset: 0 }] });
    m.applyConfig(config(1, 'a'), 0);
    m.setLeaseUntil(Infinity);
    const truncate = { epoch: 1, endOffset: 3, ifLogEnd: 5, ifLastEpoch: 1 };
    const probe = { epoch: 2, leaderHw: 3, leaderLogStart: 0, startOffset: 3, prevEpoch: 1, batches: [], truncate };
    assert.deepEqual(m.checkAppend(probe), { action: 'reject', ack: { epoch: 2, error: 'STALE_EPOCH', logEndOffset: 5, lastEpoch: 1, highWatermark: 3 } });
    assert.equal(m.epoch(), 2, 'the newer epoch fences a at once');
    assert.equal(m.appendRefusal(0), 'NOT_LEADER');
    assert.deepEqual(m.sendsDue(0), []);
    m.applyConfig(config(2, 'b'), 0);
    assert.deepEqual(m.checkAppend(probe), { action: 'truncate', toOffset: 3 });
    m.truncated(3);
    const msg = { epoch: 2, leaderHw: 3, leaderLogStart: 0, startOffset: 3, prevEpoch: 1, batches: [{ epoch: 2, firstOffset: 3, count: 1 }] };
    assert.equal(m.checkAppend(msg).action, 'append');
    assert.deepEqual(m.followerAppended(msg), { epoch: 2, error: 'OK', logEndOffset: 4, lastEpoch: 2, highWatermark: 3 });
  });

  it('a follower that left the ISR must ack again before it rejoins: a rebuilt replica is not re-added on what it acknowledged before (chaos replica-corruption regression)', () => {
    const m = new ReplicaMachine('a', { epoch: 0, logStartOffset: 0, logEndOffset: 0, highWatermark: 0, epochCache: [] });
    m.applyConfig(config(1, 'a', ABC), 0);
    m.setLeaseUntil(1_000_000);
    m.leaderAppended({ epoch: 1, firstOffset: 0, count: 5 }, 0);
    m.stored(5);
    for (const s of m.sendsDue(0)) m.sent(s.to, s.fromOffset, s.maxEndOffset, 0);
    for (const id of ['b', 'c']) m.onAck(id, { epoch: 1, error: 'OK', logEndOffset: 5, lastEpoch: 1, highWatermark: 0 }, 10);
    assert.equal(m.highWatermark(), 5);
    // c's database was discarded; it took itself out of the ISR before registering again.
    m.applyConfig({ ...config(1, 'a', ['a', 'b']), revision: 200 }, 20);
    assert.equal(m.followerLogEnds().get('c'), -1, 'what c acknowledged before it left no longer counts');
    assert.equal(m.isrChangeDue(20), undefined, 'c is not re-added on its old acknowledgement');
    m.onAck('c', { epoch: 1, error: 'LOG_MISMATCH', logEndOffset: 0, lastEpoch: 0, highWatermark: 0 }, 30);
    assert.equal(m.isrChangeDue(30), undefined, 'c holds nothing yet');
    m.onAck('c', { epoch: 1, error: 'OK', logEndOffset: 5, lastEpoch: 1, highWatermark: 5 }, 40);
    assert.deepEqual(m.isrChangeDue(40)?.isr, ['a', 'b', 'c'], 'caught up again: c rejoins');
  });

  it('a follower rejects appends that do not extend its log', () => {
    const m = new ReplicaMachine('b', { epoch: 1, logStartOffset: 0, logEndOffset: 5, highWatermark: 5, epochCache: [{ epoch: 1, startOffset: 0 }] });
    m.applyConfig(config(), 0);
    const base = { epoch: 1, leaderHw: 5, leaderLogStart: 0 };
    assert.deepEqual(m.checkAppend({ ...base, startOffset: 6, prevEpoch: 1, batches: [] }), { action: 'reject', ack: { epoch: 1, error: 'LOG_MISMATCH', logEndOffset: 5, lastEpoch: 1, highWatermark: 5 } });
    assert.equal(m.checkAppend({ ...base, startOffset: 5, prevEpoch: 0, batches: [] }).action, 'reject', 'prev epoch must match');
    assert.equal(m.checkAppend({ ...base, startOffset: 5, prevEpoch: 1, batches: [{ epoch: 1, firstOffset: 6, count: 1 }] }).action, 'reject', 'batches must be contiguous');
    assert.equal(m.checkAppend({ ...base, startOffset: 5, prevEpoch: 1, batches: [{ epoch: 2, firstOffset: 5, count: 1 }] }).action, 'reject', 'batch epoch above message epoch');
    assert.equal(m.checkAppend({ ...base, startOffset: 5, prevEpoch: 1, batches: [{ epoch: 1, firstOffset: 5, count: 1 }] }).action, 'append');
    const ack = m.followerAppended({ epoch: 2, leaderHw: 9, leaderLogStart: 0, startOffset: 5, prevEpoch: 1, batches: [{ epoch: 2, firstOffset: 5, count: 2 }] });
    assert.deepEqual(ack, { epoch: 2, error: 'OK', logEndOffset: 7, lastEpoch: 2, highWatermark: 7 });
    assert.equal(m.highWatermark(), 7, 'follower hw is capped by its own log end');
    assert.equal(m.checkAppend({ ...base, startOffset: 7, prevEpoch: 2, batches: [] }).action, 'reject', 'epoch 1 is now stale');
  });

  it('a leader reopened after a restart does not lead its old epoch: it asks for the next and leads that (chaos power-cut-fast regression)', () => {
    // a led epoch 3 and had sent [5, 8) to its followers; a power cut left it [0, 5). Appending new
    // records at 5 in epoch 3 would give b and a different records under one epoch.
    const persisted = { epoch: 3, logStartOffset: 0, logEndOffset: 5, highWatermark: 5, epochCache: [{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 2 }] };
    const m = new ReplicaMachine('a', persisted, { leadOnlyAbove: 3 });
    m.applyConfig(config(3, 'a'), 0);
    m.setLeaseUntil(Infinity);
    assert.equal(m.appendRefusal(0), 'NOT_LEADER');
    assert.equal(m.mayAcknowledge(0), false);
    assert.deepEqual(m.sendsDue(0), [], 'sends nothing in the old epoch');
    assert.deepEqual(m.epochBumpDue(), { epoch: 3, baseRevision: config(3, 'a').revision });
    m.applyConfig(config(4, 'a'), 1);
    assert.equal(m.epochBumpDue(), undefined);
    assert.equal(m.appendRefusal(1), undefined, 'leads epoch 4');
    assert.ok(m.sendsDue(1).length > 0, 'probes its followers in epoch 4');
    m.leaderAppended({ epoch: 4, firstOffset: 5, count: 1 }, 1);
    assert.deepEqual(m.persisted().epochCache, [{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 2 }, { epoch: 4, startOffset: 5 }], 'epoch 3 ends at 5 for every follower');

    const fresh = new ReplicaMachine('a', persisted);
    fresh.applyConfig(config(3, 'a'), 0);
    fresh.setLeaseUntil(Infinity);
    assert.equal(fresh.epochBumpDue(), undefined, 'a replica opened on a new assignment leads its epoch');
    assert.equal(fresh.appendRefusal(0), undefined);
    const follower = new ReplicaMachine('b', persisted, { leadOnlyAbove: 3 });
    follower.applyConfig(config(3, 'a'), 0);
    assert.equal(follower.epochBumpDue(), undefined, 'a follower asks for nothing');
  });

  it('truncation below the high watermark is a broken invariant, unless the node accepts lost committed records (fsync off: chaos power-cut-fast regression)', () => {
    // b holds [0, 8) with hw 7; after every node lost power without fsync, the new leader a kept only [0, 5).
    const persisted = { epoch: 1, logStartOffset: 0, logEndOffset: 8, highWatermark: 7, epochCache: [{ epoch: 1, startOffset: 0 }] };
    const strict = new ReplicaMachine('b', persisted);
    strict.applyConfig(config(2, 'a'), 0);
    assert.throws(() => strict.truncated(5), /outside \[hw 7/);
    const lossy = new ReplicaMachine('b', persisted, { truncateBelowHw: true });
    lossy.applyConfig(config(2, 'a'), 0);
    lossy.truncated(5);
    assert.equal(lossy.logEndOffset(), 5);
    assert.equal(lossy.highWatermark(), 5, 'the high watermark follows the log down');
    assert.deepEqual(lossy.persisted(), { ...persisted, epoch: 2, logEndOffset: 5, highWatermark: 5 });
    assert.throws(() => lossy.truncated(6), /outside/, 'never past the log end');
  });

  it('a leader sends a batch before its own write of it finishes, and counts only what its store holds toward the high watermark', () => {
    const m = new ReplicaMachine('a', { epoch: 0, logStartOffset: 0, logEndOffset: 0, highWatermark: 0, epochCache: [] });
    m.applyConfig(config(1, 'a', ABC), 0);
    m.setLeaseUntil(1_000_000);
    m.leaderAppended({ epoch: 1, firstOffset: 0, count: 5 }, 0);
    const sends = m.sendsDue(0);
    assert.deepEqual(sends.map((s) => [s.to, s.fromOffset, s.maxEndOffset]), [['b', 0, 5], ['c', 0, 5]], 'the batch goes out before the leader stored it');
    for (const s of sends) m.sent(s.to, s.fromOffset, s.maxEndOffset, 0);
    for (const s of sends) m.onAck(s.to, { epoch: 1, error: 'OK', logEndOffset: 5, lastEpoch: 1, highWatermark: 0, sendSeq: s.sendSeq }, 10);
    assert.equal(m.highWatermark(), 0, 'both followers hold it, the leader\'s store does not yet');
    m.stored(3);
    assert.equal(m.highWatermark(), 3);
    m.stored(5);
    assert.equal(m.highWatermark(), 5);
    m.stored(9);
    assert.equal(m.highWatermark(), 5, 'stored() never counts past the log end');
  });

  it('leaderAppended asserts the batch extends the log', () => {
    const sim = new Sim(ABC, config());
    assert.throws(() => sim.m('a').leaderAppended({ epoch: 1, firstOffset: 3, count: 1 }, sim.nowMs));
    assert.throws(() => sim.m('b').leaderAppended({ epoch: 1, firstOffset: 0, count: 1 }, sim.nowMs));
  });

  it('idle shards need no ticks: a settled leader and every follower are left alone; a follower behind or out of the ISR is not', () => {
    const sim = new Sim(ABC, config());
    const reachable = (): boolean => true;
    sim.deliverAll();
    sim.append(2);
    sim.deliverAll();
    assert.equal(sim.m('a').highWatermark(), 2);
    assert.equal(sim.m('a').needsTick(sim.nowMs, reachable), true, 'the followers do not know the hw yet: time will send it');
    sim.advance(HW_ONLY_SEND_DELAY_MS);
    sim.deliverAll();
    assert.equal(sim.m('a').needsTick(sim.nowMs, reachable), false, 'everything replicated and the hw told: nothing to do until something arrives');
    assert.equal(sim.m('b').needsTick(sim.nowMs, reachable), false, 'followers never need time');
    sim.append(1);
    assert.equal(sim.m('a').needsTick(sim.nowMs, reachable), true, 'messages in flight: the resend timer runs');
    assert.equal(sim.m('a').needsTick(sim.nowMs, (id) => id !== 'b' && id !== 'c'), false, 'followers that cannot be reached wait for their link, not for time');
    sim.deliverAll();
    sim.pump();
    sim.deliverAll();
    sim.applyConfig(config(1, 'a', ['a', 'b']));
    assert.equal(sim.m('a').needsTick(sim.nowMs, reachable), true, 'c left the ISR: it must ack again (probe), then be proposed');
    sim.pump();
    sim.deliverAll();
    assert.equal(sim.m('a').needsTick(sim.nowMs, reachable), true, 'c is caught up but out of the ISR: the leader must propose it');
    assert.deepEqual(sim.m('a').proposalsDue(sim.nowMs).isr?.isr, ['a', 'b', 'c']);
  });

  it('the high watermark alone waits HW_ONLY_SEND_DELAY_MS without a send: the next records carry it first, one message per append', () => {
    const sim = new Sim(ABC, config());
    sim.deliverAll();
    sim.append(2);
    sim.deliverAll();
    assert.equal(sim.m('a').highWatermark(), 2);
    assert.equal(sim.m('b').highWatermark(), 0, 'the records went before they committed');
    assert.deepEqual(sim.m('a').sendsDue(sim.nowMs), [], 'no message for the hw alone right after the acks');
    sim.advance(HW_ONLY_SEND_DELAY_MS / 2);
    const before = sim.trace.length;
    sim.append(1);
    sim.deliverAll();
    assert.deepEqual(sim.trace.slice(before).filter((t) => t.startsWith('a->')).map((t) => t.split(' ').slice(0, 3).join(' ')), ['a->b append 2+1b', 'a->c append 2+1b'], 'one message per follower');
    assert.equal(sim.m('b').highWatermark(), 2, 'the next records carried the hw');
    sim.advance(HW_ONLY_SEND_DELAY_MS - 1);
    assert.deepEqual(sim.m('a').sendsDue(sim.nowMs), [], 'not yet');
    sim.advance(1);
    sim.deliverAll();
    assert.equal(sim.m('b').highWatermark(), 3, 'then the hw alone');
    assert.equal(sim.m('c').highWatermark(), 3);
  });

  it('an idle period does not look like lag: a follower that had everything when the leader appended was caught up until then', () => {
    const sim = new Sim(ABC, config());
    sim.deliverAll();
    sim.append(1);
    sim.deliverAll();
    sim.advance(ISR_LAG_TIME_MAX_MS * 3); // idle, no heartbeat
    sim.append(1);
    assert.equal(sim.m('a').proposalsDue(sim.nowMs).isr, undefined, 'no shrink right after a long idle period');
    sim.deliverAll();
    assert.equal(sim.m('a').highWatermark(), 2);
  });

  it('a follower holding the whole log stays in the ISR however long the shard is idle; one behind it leaves after the lag time', () => {
    const sim = new Sim(ABC, config());
    sim.deliverAll();
    sim.append(1);
    sim.deliverAll();
    sim.advance(ISR_LAG_TIME_MAX_MS * 3); // idle; the leader is visited (a peer's stream came up, a tick)
    sim.m('a').tick(sim.nowMs);
    assert.equal(sim.m('a').proposalsDue(sim.nowMs).isr, undefined, 'no shrink of caught-up followers on an idle shard');
    sim.append(1); // b and c stop answering
    sim.advance(ISR_LAG_TIME_MAX_MS + 1);
    assert.deepEqual(sim.m('a').proposalsDue(sim.nowMs).isr?.isr, ['a'], 'followers that lack the last append for longer than the lag time leave');
  });

  it('a rejected message moved no high watermark: after a mismatch the leader sends the follower its high watermark again (chaos reshard-kills regression)', () => {
    const sim = new Sim(ABC, config(1, 'a', ['a', 'c'])); // b follows outside the ISR
    sim.pump();
    sim.deliverAll();
    sim.append(1);
    sim.deliverAll((p) => !(p.kind === 'ack' && p.from === 'b')); // b holds [0, 1); its ack is lost
    sim.drop((p) => p.from === 'b');
    assert.equal(sim.m('a').highWatermark(), 1);
    sim.restart('b'); // the leader resends from what b acknowledged (0), with hw 1; b refuses it (its log ends at 1)
    sim.pump();
    sim.deliverAll();
    assert.ok(sim.trace.includes('b->a ack LOG_MISMATCH end=1'));
    assert.equal(sim.m('b').logEndOffset(), 1);
    sim.advance(HW_ONLY_SEND_DELAY_MS);
    sim.deliverAll();
    assert.equal(sim.m('b').highWatermark(), 1, 'the hw the refused message carried reaches b in a later one');
  });

  it('the shard record rules are inputs: closing refuses appends and, once all is committed, proposes the seal; a handover refuses appends while what was appended commits', () => {
    const sim = new Sim(ABC, config());
    sim.deliverAll();
    sim.append(2);
    const closing = { ...config(), closing: true, revision: 900 };
    sim.applyConfig(closing);
    assert.equal(sim.append(1), 'SHARD_CLOSED');
    assert.equal(sim.m('a').proposalsDue(sim.nowMs).seal, undefined, 'not before everything appended is committed');
    sim.deliverAll();
    assert.deepEqual(sim.m('a').proposalsDue(sim.nowMs).seal, { epoch: 1, logEnd: 2 });
    assert.equal(sim.m('a').proposalsDue(sim.nowMs).seal, undefined, 'repeated only after SEAL_RETRY_MS');
    sim.advance(SEAL_RETRY_MS);
    assert.deepEqual(sim.m('a').proposalsDue(sim.nowMs).seal, { epoch: 1, logEnd: 2 });
    sim.applyConfig({ ...closing, sealedLogEnd: 2, revision: 901 });
    sim.advance(SEAL_RETRY_MS);
    assert.equal(sim.m('a').proposalsDue(sim.nowMs).seal, undefined, 'sealed: nothing more to propose');

    const h = new Sim(ABC, config());
    h.deliverAll();
    h.append(1);
    h.applyConfig({ ...config(), handoverTo: 'b', revision: 902 });
    assert.equal(h.append(1), 'HANDING_OVER');
    h.deliverAll();
    assert.equal(h.m('a').highWatermark(), 1, 'what was appended before the handover still commits');
  });
});
