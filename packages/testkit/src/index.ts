// @shoal/testkit: the harness every package's tests use for real processes (docs/contracts.md).
export { ETCD_START_TIMEOUT_MS, EtcdCluster, etcdHealthy, startEtcd, type EtcdOptions } from './etcd';
export { freePort, freePorts } from './ports';
export { TempDirs } from './temp-dirs';
export { WAIT_POLL_MS, WAIT_TIMEOUT_MS, waitUntil } from './wait';
