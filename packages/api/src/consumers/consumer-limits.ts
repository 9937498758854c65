/**
 * Per-account consumer limits (enhanced fan-out). One function per limit, so
 * account settings (On-demand Advantage: 50 consumers per stream) plug in here.
 */
import { limits } from '@shoal/core';
import type { Caller } from '../operation';

/** Consumers one stream of the caller's account may have registered (CREATING, ACTIVE or DELETING). */
export function consumersPerStreamMax(_caller: Caller): number {
  return limits.CONSUMERS_PER_STREAM_MAX;
}
