/**
 * TEST-ONLY safety switches, read once from the environment. They exist so
 * the chaos suite can prove it catches real loss (docs/chaos.md); a
 * production node never sets them, and main.ts logs loudly when one is on.
 *
 * SHOAL_UNSAFE_ACK_ON_LEADER_APPEND=1: the leader acknowledges producers as
 * soon as it has appended the records locally, without waiting for the
 * in-sync replicas (breaks replication rule 2 of the design on purpose).
 */
export const UNSAFE_ACK_ON_LEADER_APPEND = process.env['SHOAL_UNSAFE_ACK_ON_LEADER_APPEND'] === '1';
