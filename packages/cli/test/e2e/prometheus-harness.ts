/**
 * A real Prometheus (Debian's `prometheus` and `promtool`) for the metrics
 * end-to-end test: the scrape configuration is deploy/monitoring's compose
 * one with its targets pointed at the local cluster and a 1 s interval;
 * the alert rules are deploy/monitoring's. Also: promtool runs, the
 * Prometheus HTTP query API, the Grafana dashboard's PromQL expressions,
 * and a parser of the text exposition (names, types, label sets).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../../src/cluster-config';

export const MONITORING_DIR = join(REPO_ROOT, 'deploy', 'monitoring');
export const DASHBOARD_FILE = join(MONITORING_DIR, 'grafana', 'shoal-dashboard.json');
export const RULES_FILE = join(MONITORING_DIR, 'shoal-alerts.yml');
const COMPOSE_CONFIG = join(MONITORING_DIR, 'prometheus-compose.yml');
const READY_WAIT_MS = 30_000;
const POLL_MS = 250;
const TOOL_TIMEOUT_MS = 30_000;
/** What the dashboard's variables stand for when a query is run outside Grafana. */
const DASHBOARD_VARIABLES: Readonly<Record<string, string>> = { $__rate_interval: '1m', $account: '.*', $stream: '.*' };

/** The scrape targets of each job of deploy/monitoring/prometheus-compose.yml (host:port). */
export type JobTargets = Readonly<Record<string, readonly string[]>>;

export interface ToolResult {
  readonly code: number;
  readonly output: string;
}

/** Runs promtool with `args` (and `stdin`), never throwing: its exit code and output. */
export function promtool(args: readonly string[], stdin?: string): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = execFile('promtool', [...args], { timeout: TOOL_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
    child.stdin?.end(stdin ?? '');
  });
}

/** deploy/monitoring's compose configuration with these targets, scraped every second, and its rules beside it in `dir`. */
export function writeConfig(dir: string, targets: JobTargets): string {
  const config = parse(readFileSync(COMPOSE_CONFIG, 'utf8')) as {
    global: Record<string, string>; scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
  };
  config.global['scrape_interval'] = '1s';
  config.global['evaluation_interval'] = '1s';
  for (const job of config.scrape_configs) {
    const local = targets[job.job_name];
    if (!local) throw new Error(`no local targets for job ${job.job_name}`);
    job.static_configs = [{ targets: [...local] }];
  }
  mkdirSync(dir, { recursive: true });
  copyFileSync(RULES_FILE, join(dir, 'shoal-alerts.yml'));
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, stringify(config));
  return file;
}

export class PrometheusProcess {
  private readonly child: ChildProcess;
  readonly url: string;

  constructor(configFile: string, dataDir: string, port: number) {
    this.url = `http://127.0.0.1:${port}`;
    this.child = spawn('prometheus', [
      `--config.file=${configFile}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr?.resume();
  }

  async ready(): Promise<void> {
    const deadline = Date.now() + READY_WAIT_MS;
    for (;;) {
      try {
        if ((await fetch(`${this.url}/-/ready`)).ok) return;
      } catch { /* not listening yet */ }
      if (this.child.exitCode !== null) throw new Error(`prometheus exited with ${this.child.exitCode}`);
      if (Date.now() > deadline) throw new Error('prometheus not ready');
      await sleep(POLL_MS);
    }
  }

  /** An instant query; the result vector (throws on a query error). */
  async query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = await res.json() as { status: string; error?: string; data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    if (body.status !== 'success' || !body.data) throw new Error(`${expr}: ${body.error ?? res.status}`);
    if (body.data.resultType !== 'vector') throw new Error(`${expr}: a ${body.data.resultType}, not a vector`);
    return body.data.result;
  }

  /** The scrape targets and their health. */
  async targets(): Promise<Array<{ job: string; health: string; lastError: string }>> {
    const body = await (await fetch(`${this.url}/api/v1/targets`)).json() as { data: { activeTargets: Array<{ labels: { job: string }; health: string; lastError: string }> } };
    return body.data.activeTargets.map((t) => ({ job: t.labels.job, health: t.health, lastError: t.lastError }));
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => { this.child.once('exit', () => resolve()); this.child.kill('SIGTERM'); });
  }
}

interface DashboardPanel {
  readonly title?: string;
  readonly targets?: ReadonlyArray<{ readonly expr?: string }>;
  readonly panels?: readonly DashboardPanel[];
}

/** Every PromQL expression of the dashboard's panels (rows included), with its panel title. */
export function dashboardExpressions(): Array<{ panel: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { panels: DashboardPanel[] };
  const out: Array<{ panel: string; expr: string }> = [];
  const walk = (panels: readonly DashboardPanel[]): void => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ panel: p.title ?? '?', expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** The expression with the dashboard's variables replaced as Grafana would for "All" over the last minute. */
export function withVariables(expr: string): string {
  let out = expr;
  for (const [name, value] of Object.entries(DASHBOARD_VARIABLES)) out = out.split(name).join(value);
  return out;
}

/** The alert rules' expressions. */
export function ruleExpressions(): Array<{ alert: string; expr: string }> {
  const rules = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  return rules.groups.flatMap((g) => g.rules.map((r) => ({ alert: r.alert, expr: r.expr })));
}

/** Metric names (kinesis_ and shoal_, histogram suffixes taken off) a PromQL expression uses. */
export function metricNamesIn(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/\b((?:kinesis|shoal)_[a-z0-9_]+)/g)) names.add(m[1]!.replace(/_(bucket|count|sum)$/, ''));
  return [...names];
}

/** One metric family of an exposition: its declared type and the label-name sets of its samples (`le` left out). */
export interface ExposedFamily {
  readonly type: string;
  readonly labelSets: Set<string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g;

/** The families of a Prometheus text exposition. */
export function parseExposition(text: string): Map<string, ExposedFamily> {
  const families = new Map<string, ExposedFamily>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) { families.set(type[1]!, { type: type[2]!, labelSets: new Set() }); continue; }
    if (line.startsWith('#') || line.trim() === '') continue;
    const sample = SAMPLE.exec(line);
    if (!sample) continue;
    const name = sample[1]!;
    const family = families.get(name) ?? families.get(name.replace(/_(bucket|count|sum)$/, ''));
    if (!family) continue;
    const labels = [...(sample[2] ?? '').matchAll(LABEL)].map((l) => l[1]!).filter((l) => l !== 'le').sort();
    family.labelSets.add(labels.join(','));
  }
  return families;
}
