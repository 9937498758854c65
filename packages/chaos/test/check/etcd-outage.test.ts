import { strict as assert } from 'node:assert';
import { leaselessWindows } from '../../src/check/check-etcd-outage';
import { checkHistory, formatVerdict } from '../../src/check/checker';
import type { FaultEvent } from '../../src/history/history-format';
import { asHistory, goodHistory, type MutableHistory } from './history-builder';

/** The good history (puts 500..1550 ms on two shards) with 1 s leases and `faults` instead of its leader kill. */
function withFaults(faults: FaultEvent[], ttlSec: number | null = 1): MutableHistory {
  const h = goodHistory();
  h.run = { ...h.run, ...(ttlSec !== null ? { settings: { leaseTtlSec: ttlSec } } : {}) };
  h.faults = faults;
  return h;
}

const stopMajority = (atMs: number): FaultEvent => ({ type: 'fault', atMs, action: 'stop', target: 'etcd-majority', detail: 'SIGSTOP etcd-1 etcd-2' });
const cont = (atMs: number): FaultEvent => ({ type: 'fault', atMs, action: 'cont', target: 'all' });

describe('checker: ack-without-lease (etcd without quorum)', () => {
  it('a put begun after every lease lapsed and acknowledged before etcd came back is caught, once per acknowledgement', () => {
    // Quorum lost 3 s before the first put: leases of 1 s have lapsed (with the 2 s slack) at 0 ms; etcd back at 1000 ms.
    const h = withFaults([stopMajority(-3_000), cont(1_000)]);
    assert.deepEqual(leaselessWindows(asHistory(h)).map((w) => [w.fromMs, w.toMs]), [[0, 1_000]]);
    const verdict = checkHistory(asHistory(h));
    // Puts at 500-550, 700-750, 900-950 on both shards.
    assert.equal(verdict.violations['ack-without-lease'], 6, formatVerdict(verdict));
    assert.equal(verdict.pass, false);
    assert.ok(verdict.details.some((d) => d.type === 'ack-without-lease' && d.context.length === 2));
    // The single member killed (signal delivered: pid) is a quorum loss too; the window ends at the restart.
    const single = checkHistory(asHistory(withFaults([{ type: 'fault', atMs: -3_000, action: 'kill', target: 'etcd', pid: 9 }, { type: 'fault', atMs: 800, action: 'restart', target: 'all' }])));
    assert.equal(single.violations['ack-without-lease'], 4, formatVerdict(single));
  });

  it('holds when etcd is back before the leases lapse, for a minority stop, a signal that reached nothing, or without the lease TTL', () => {
    const cases: Array<[string, MutableHistory]> = [
      ['back before the lapse', withFaults([stopMajority(-3_000), cont(-100)])],
      ['lapse after the last put', withFaults([stopMajority(0), cont(3_000)])],
      ['a minority stopped', withFaults([{ ...stopMajority(-3_000), target: 'etcd-members' }, cont(1_000)])],
      ['signal to no process', withFaults([{ type: 'fault', atMs: -3_000, action: 'stop', target: 'etcd', detail: 'not running' }, cont(1_000)])],
      ['no lease TTL recorded', withFaults([stopMajority(-3_000), cont(1_000)], null)],
    ];
    for (const [name, h] of cases) {
      const verdict = checkHistory(asHistory(h));
      assert.equal(verdict.violations['ack-without-lease'], 0, `${name}: ${formatVerdict(verdict)}`);
      assert.equal(verdict.pass, true, `${name}: ${formatVerdict(verdict)}`);
    }
  });
});
