import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { METRICS, METRIC_TABLE, SHARD_LABELS, counterOf, histogramOf } from '../src/index';

const NAME = /^[a-z][a-z0-9_]*$/;

describe('metric table', () => {
  it('has one entry per name, each a valid Prometheus name with valid labels', () => {
    const names = METRIC_TABLE.map((m) => m.name);
    assert.equal(new Set(names).size, names.length, 'names are unique');
    for (const m of METRIC_TABLE) {
      assert.match(m.name, NAME);
      for (const l of m.labels) assert.match(l, NAME, `${m.name} label ${l}`);
      assert.ok(!m.labels.includes('le') && !m.labels.includes('quantile'), `${m.name}: le and quantile are reserved`);
      assert.equal(new Set(m.labels).size, m.labels.length, `${m.name}: labels are unique`);
      assert.ok(m.components.length > 0, `${m.name} is exported by some process`);
    }
  });

  it('follows the naming scheme: kinesis_ for CloudWatch metrics, shoal_ for internals, _total on counters only, histograms in seconds', () => {
    for (const m of METRIC_TABLE) {
      assert.ok(m.name.startsWith(m.cloudWatch !== undefined ? 'kinesis_' : 'shoal_'), m.name);
      assert.equal(m.name.endsWith('_total'), m.type === 'counter', `${m.name}: _total exactly on counters`);
      if (m.type === 'histogram') {
        assert.ok(m.name.endsWith('_seconds'), `${m.name}: histograms measure seconds`);
        assert.ok(m.buckets && m.buckets.length > 0 && m.buckets.every((b, i) => i === 0 || b > m.buckets![i - 1]!), `${m.name}: increasing buckets`);
      } else {
        assert.equal(m.buckets, undefined, `${m.name}: buckets only on histograms`);
      }
      if (m.cloudWatch !== undefined) assert.ok(m.components.every((c) => c === 'api'), `${m.name}: Kinesis metrics come from the api only`);
    }
  });

  it('shard-level metrics carry the shard label and the enhanced-monitoring metric that turns them on', () => {
    for (const m of METRIC_TABLE) {
      const shardLevel = m.name.startsWith('kinesis_shard_');
      assert.equal(m.shardLevelMetric !== undefined, shardLevel, m.name);
      if (shardLevel) assert.deepEqual(m.labels, SHARD_LABELS);
      else assert.ok(!m.labels.includes('shard'), `${m.name}: only shard-level metrics have a shard label`);
    }
  });

  it('docs/observability.md lists exactly the table\'s metrics', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'observability.md'), 'utf8');
    const listed = new Set([...doc.matchAll(/^\| `((?:kinesis|shoal)_[a-z0-9_]+)` \|/gm)].map((m) => m[1]!));
    assert.deepEqual([...listed].sort(), METRIC_TABLE.map((m) => m.name).sort());
  });

  it('makes prom-client metrics only of the type the table says', () => {
    const registry = new Registry();
    assert.throws(() => counterOf(METRICS.putRecordLatency, registry), /is a histogram, not a counter/);
    const h = histogramOf(METRICS.putRecordLatency, registry);
    h.observe({ account: '1', region: 'r', stream: 's' }, 0.002);
    assert.throws(() => h.observe({ operation: 'x' }, 1), /label/i);
  });
});
