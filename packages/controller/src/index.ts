/** @shoal/controller: election, stream lifecycle, placement and failover. */
export { Controller } from './controller';
export type { ControllerMetrics, ControllerOptions } from './controller';
export { loadOf, nodesByAz, placeShards, placementBlocker } from './placement';
export type { LoadTable, NodeLoad, Placement } from './placement';
export { allShards, planShardRepair, planStreamCreation, planStreamDeletion } from './plans';
export type { CommitPlan, PlanOutcome } from './plans';
export { leastLeading, planMoveLeader, planReplicaMove } from './replica-moves';
export type { MoveContext } from './replica-moves';
export { planHandover, startHandover, withoutHandover } from './handover';
export { HANDOVER_DRAIN_MS } from './controller-limits';
