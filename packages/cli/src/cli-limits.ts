/** Bounds of the cluster CLI's waits and outputs. Units last in the names. */

/** Longest `up` waits for one process group to become healthy (etcd, nodes, controller, api). */
export const UP_WAIT_MS_MAX = 60_000;
/** Poll period of the health checks while waiting. */
export const PROBE_INTERVAL_MS = 200;
/** Deadline of one health probe or Status call. */
export const PROBE_TIMEOUT_MS = 1000;
/** After SIGTERM, wait this long before SIGKILL. */
export const STOP_GRACE_MS = 10_000;
/** Log lines shown when a process fails to start. */
export const LOG_TAIL_LINES = 25;
/** Replica groups: nodes in each of the three AZs at most. */
export const NODES_PER_AZ_MAX = 32;
/** Period at which `run` checks its processes are still alive. */
export const RUN_CHECK_INTERVAL_MS = 2000;
/** Default bound (--wait-sec) on how long move-leader and drain wait for the controller. */
export const ADMIN_WAIT_SEC_DEFAULT = 120;
/** Controller processes `up --controllers` may start (one active, the rest standbys). */
export const CONTROLLERS_MAX = 5;
