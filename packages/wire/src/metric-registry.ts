/**
 * prom-client metrics made from the table (metric-table.ts), so a process
 * can only export a name and label set the table holds. One registry per
 * process part (not prom-client's global one), so several nodes can run in
 * one test process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { MetricDef, MetricType } from './metric-table';

function checked(def: MetricDef, type: MetricType): { name: string; help: string; labelNames: string[] } {
  if (def.type !== type) throw new Error(`metric ${def.name} is a ${def.type}, not a ${type}`);
  return { name: def.name, help: def.help, labelNames: [...def.labels] };
}

export function counterOf(def: MetricDef, registry: Registry): Counter {
  return new Counter({ ...checked(def, 'counter'), registers: [registry] });
}

/** A gauge; `collect` (if given) sets its values at each scrape. */
export function gaugeOf(def: MetricDef, registry: Registry, collect?: (gauge: Gauge) => void): Gauge {
  return new Gauge({ ...checked(def, 'gauge'), registers: [registry], ...(collect ? { collect(this: Gauge) { collect(this); } } : {}) });
}

export function histogramOf(def: MetricDef, registry: Registry): Histogram {
  if (!def.buckets) throw new Error(`histogram ${def.name} has no buckets in the table`);
  return new Histogram({ ...checked(def, 'histogram'), buckets: [...def.buckets], registers: [registry] });
}

/**
 * prom-client defaults left out: gauges whose names end in `_total`, which
 * `promtool check metrics` refuses (the same counts stay, by type, in
 * nodejs_active_handles, nodejs_active_requests and nodejs_active_resources).
 */
export const RUNTIME_METRICS_DROPPED = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;

let runtime: Registry | undefined;

/**
 * A registry with prom-client's default runtime metrics (RUNTIME_METRIC_PREFIXES),
 * less RUNTIME_METRICS_DROPPED. The runtime metrics are made once per
 * process and shared by every registry: each collectDefaultMetrics call
 * starts its own GC observer and event-loop monitor that nothing stops, so
 * one per registry would pile up in a process that makes many (the
 * simulation runs thousands of storage nodes in one process).
 */
export function processRegistry(): Registry {
  if (!runtime) {
    runtime = new Registry();
    collectDefaultMetrics({ register: runtime });
    for (const name of RUNTIME_METRICS_DROPPED) runtime.removeSingleMetric(name);
  }
  const registry = new Registry();
  for (const metric of runtime.getMetricsAsArray()) registry.registerMetric(metric as unknown as Metric);
  return registry;
}
