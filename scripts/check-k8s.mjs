#!/usr/bin/env node
// Offline checks of the Kubernetes manifests (run by CI; no cluster needed):
//   1. `kubectl kustomize deploy/k8s` renders (kubectl from $KUBECTL, PATH,
//      or Debian's kubernetes-client, installed when missing and root);
//   2. every rendered object validates against the Kubernetes schemas
//      (npm kubernetes-models);
//   3. policies: three zones with one storage StatefulSet each, pinned by
//      node affinity and told its zone in SHOAL_AZ; the three per-zone files
//      differ only in the zone; etcd has 3 members spread over zones;
//      controllers 2; probes, resource requests and a tagged, non-latest
//      image on every container; probe ports exist; a grace period on every
//      pod; a PodDisruptionBudget covering every workload; deploy/kind
//      labels three workers with the same zones;
//   4. the optional monitoring kustomization (deploy/monitoring: Prometheus,
//      Grafana) renders, validates and meets the same workload policies.
// Prints one line per check and ends with `check-k8s: N passed, M failed`.
//   node scripts/check-k8s.mjs [kustomization dir, default deploy/k8s]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse } from 'yaml';
import * as models from 'kubernetes-models';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// An argument names another kustomization directory (used to test this script).
const K8S_DIR = process.argv[2] ?? join(ROOT, 'deploy', 'k8s');
const KIND_CONFIG = join(ROOT, 'deploy', 'kind', 'cluster.yaml');
const MONITORING_DIR = join(ROOT, 'deploy', 'monitoring');
const ZONES = ['az-a', 'az-b', 'az-c'];
const ZONE_KEY = 'topology.kubernetes.io/zone';
const ETCD_MEMBERS = 3;
const CONTROLLER_REPLICAS = 2;
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const RENDER_TIMEOUT_MS = 60_000;

const results = [];
function check(name, ok, detail = '') {
  results.push(ok);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
}

function findKubectl() {
  const candidates = [process.env.KUBECTL, 'kubectl'].filter(Boolean);
  for (const bin of candidates) {
    try {
      execFileSync(bin, ['version', '--client'], { stdio: 'ignore', timeout: RENDER_TIMEOUT_MS });
      return bin;
    } catch { /* try the next one */ }
  }
  if (process.getuid?.() !== 0) throw new Error('kubectl not found (apt-get install kubernetes-client)');
  console.log('check-k8s: apt-get install kubernetes-client');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'kubernetes-client'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  return 'kubectl';
}

/** The kubernetes-models class for an apiVersion + kind, if any. */
function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const groupKey = group === '' ? null : group.replace(/\.([a-z])/g, (_, c) => c.toUpperCase());
  const versions = groupKey === null ? models : models[groupKey];
  return versions?.[version]?.[kind];
}

function validateSchemas(objects) {
  for (const obj of objects) {
    const name = `${obj.kind}/${obj.metadata?.name}`;
    const Model = modelClass(obj.apiVersion, obj.kind);
    if (!Model) { check(`schema ${name}`, false, `no schema for ${obj.apiVersion} ${obj.kind}`); continue; }
    try {
      new Model(obj).validate();
      check(`schema ${name}`, true);
    } catch (err) {
      check(`schema ${name}`, false, String(err.message ?? err).slice(0, 400));
    }
  }
}

const envOf = (container) => new Map((container.env ?? []).map((e) => [e.name, e]));

function checkContainer(workload, container) {
  const where = `${workload.kind}/${workload.metadata.name} container ${container.name}`;
  const image = container.image ?? '';
  const tag = image.includes('@') ? 'digest' : image.split('/').pop().split(':')[1];
  check(`${where} image tagged, not latest`, Boolean(tag) && tag !== 'latest', image);
  const requests = container.resources?.requests ?? {};
  check(`${where} requests cpu and memory`, Boolean(requests.cpu && requests.memory));
  const portNames = new Set((container.ports ?? []).map((p) => p.name));
  for (const probeName of ['readinessProbe', 'livenessProbe']) {
    const probe = container[probeName];
    const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
    const portOk = typeof port === 'number' || portNames.has(port);
    check(`${where} ${probeName} (application-level, port exists)`, Boolean(probe?.httpGet) && portOk, probe?.httpGet?.path ?? 'missing');
  }
  const defined = new Set();
  for (const e of container.env ?? []) {
    for (const ref of String(e.value ?? '').matchAll(/\$\(([A-Z_]+)\)/g)) {
      check(`${where} env ${e.name} refers to an earlier variable $(${ref[1]})`, defined.has(ref[1]));
    }
    defined.add(e.name);
  }
}

function matches(selector, labels) {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);
}

function checkWorkloads(objects) {
  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  for (const w of workloads) {
    const pod = w.spec.template;
    const where = `${w.kind}/${w.metadata.name}`;
    check(`${where} terminationGracePeriodSeconds set`, Number.isInteger(pod.spec.terminationGracePeriodSeconds));
    check(`${where} selector matches its pod labels`, matches(w.spec.selector, pod.metadata.labels));
    const pdb = pdbs.find((p) => matches(p.spec.selector, pod.metadata.labels));
    check(`${where} covered by a PodDisruptionBudget`, Boolean(pdb), pdb?.metadata.name ?? 'none');
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) checkContainer(w, c);
  }
  return workloads;
}

function zoneAffinity(podSpec) {
  const terms = podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const exprs = terms.flatMap((t) => t.matchExpressions ?? []).filter((e) => e.key === ZONE_KEY && e.operator === 'In');
  return exprs.length === 1 && terms.length === 1 ? exprs[0].values : [];
}

function checkTopology(workloads) {
  const storage = workloads.filter((w) => w.spec.template.metadata.labels?.['app.kubernetes.io/component'] === 'storage-node');
  check('one storage StatefulSet per zone', storage.length === ZONES.length && storage.every((w) => w.kind === 'StatefulSet'),
    storage.map((w) => w.metadata.name).join(', '));
  for (const zone of ZONES) {
    const mine = storage.filter((w) => zoneAffinity(w.spec.template.spec).join() === zone);
    check(`zone ${zone}: exactly one storage StatefulSet pinned by required node affinity`, mine.length === 1);
    const azEnv = mine[0] && envOf(mine[0].spec.template.spec.containers[0]).get('SHOAL_AZ');
    check(`zone ${zone}: its storage nodes get SHOAL_AZ=${zone}`, azEnv?.value === zone);
  }
  const [first, ...rest] = ZONES.map((z) => readFileSync(join(K8S_DIR, `storage-${z}.yaml`), 'utf8'));
  check('storage-az-*.yaml differ only in the zone', rest.every((text, i) => text.replaceAll(ZONES[i + 1], ZONES[0]) === first));

  const etcd = workloads.find((w) => w.metadata.name === 'etcd');
  check(`etcd StatefulSet with ${ETCD_MEMBERS} members`, etcd?.kind === 'StatefulSet' && etcd.spec.replicas === ETCD_MEMBERS);
  const initial = etcd && envOf(etcd.spec.template.spec.containers[0]).get('ETCD_INITIAL_CLUSTER')?.value;
  check('etcd initial cluster names every member', (initial ?? '').split(',').length === ETCD_MEMBERS);
  for (const name of ['etcd', 'controller', 'api']) {
    const w = workloads.find((x) => x.metadata.name === name);
    const spread = (w?.spec.template.spec.topologySpreadConstraints ?? []).some((t) => t.topologyKey === ZONE_KEY);
    check(`${name} spread over zones (topologySpreadConstraints on ${ZONE_KEY})`, spread);
  }
  const controller = workloads.find((w) => w.metadata.name === 'controller');
  check(`controller Deployment with ${CONTROLLER_REPLICAS} replicas`, controller?.kind === 'Deployment' && controller.spec.replicas === CONTROLLER_REPLICAS);
}

function checkKind() {
  const config = parse(readFileSync(KIND_CONFIG, 'utf8'));
  const workerZones = (config.nodes ?? []).filter((n) => n.role === 'worker').map((n) => n.labels?.[ZONE_KEY]).sort();
  check('kind cluster: three workers labelled az-a, az-b, az-c', workerZones.join() === ZONES.join(), workerZones.join());
}

/** Renders a kustomization and parses its objects (checked). */
function render(kubectl, dir, label) {
  let rendered = '';
  try {
    rendered = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8', timeout: RENDER_TIMEOUT_MS });
    check(`kubectl kustomize ${label} renders`, true);
  } catch (err) {
    check(`kubectl kustomize ${label} renders`, false, String(err.message ?? err));
  }
  const docs = parseAllDocuments(rendered);
  const errors = docs.flatMap((d) => d.errors);
  check(`${label}: rendered YAML parses`, errors.length === 0, errors.map((e) => e.message).join('; '));
  const objects = docs.map((d) => d.toJS()).filter(Boolean);
  check(`${label}: rendered objects`, objects.length > 0, `${objects.length}`);
  return objects;
}

function main() {
  const kubectl = findKubectl();
  const objects = render(kubectl, K8S_DIR, 'deploy/k8s');
  validateSchemas(objects);
  const workloads = checkWorkloads(objects);
  checkTopology(workloads);
  check('kustomization namespaces every object', objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'shoal'));
  if (existsSync(KIND_CONFIG)) checkKind(); else check('deploy/kind/cluster.yaml exists', false);
  if (process.argv[2] === undefined) {
    const monitoring = render(kubectl, MONITORING_DIR, 'deploy/monitoring');
    validateSchemas(monitoring);
    checkWorkloads(monitoring);
    check('deploy/monitoring namespaces every object in shoal', monitoring.every((o) => o.metadata.namespace === 'shoal'));
  }
  const failed = results.filter((ok) => !ok).length;
  console.log(`check-k8s: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main();
