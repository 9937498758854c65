/** @shoal/cli: the local cluster's layout and process management, for scripts and tests. */
export { AZS, REPO_ROOT, apiUrl, clusterSpecs, configFromFlags, defaultConfig, etcdUrl, nodeSpecs } from './cluster-config';
export type { ClusterConfig, ProcessSpec, Role } from './cluster-config';
export { readState, statePath, writeState } from './cluster-state';
export type { ClusterState, ProcessEntry } from './cluster-state';
export { collectStatus } from './commands/status';
export { ensureMasterKey } from './master-key-file';
export type { ReplicaReport, StatusReport } from './commands/status';
