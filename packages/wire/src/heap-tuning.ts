/**
 * V8 heap tuning for the server processes (storage node, api), which move
 * tens of MB/s of record data through short-lived Buffers while their JS
 * heap stays small (~15 MB live).
 *
 * Why: V8 counts ArrayBuffer memory allocated since the last full GC
 * against the old generation's allocation limit, and that limit is the
 * live JS heap times a growing factor that stays near 1.1-2 while GC is
 * cheap. With a 15 MB heap, every ~10-15 MB of Buffers (a fraction of a
 * second at full load) started a full mark-compact: 40-85 full GCs per
 * node per 300 MB written, ~40% of a storage node's CPU per MB. A larger
 * growing factor lets ~60 MB of dead Buffers pile up between full GCs
 * instead (V8 then caps it by its own external-memory trigger, 64 MB);
 * the cost is that much more resident memory per process. Measured on the
 * put benchmark: storage node CPU per MB -40%, api -10%.
 *
 * `--heap-growing-percent` is read at every full GC, so setting it at
 * start-up through v8.setFlagsFromString takes effect; a value given on
 * the node command line (execArgv) wins.
 */
import { setFlagsFromString } from 'node:v8';

/** Heap growing factor as 1 + percent/100; V8 caps the factor it uses (about 4). */
export const HEAP_GROWING_PERCENT = 400;
const FLAG = '--heap-growing-percent';

/** Applies the tuning above unless the process was started with its own value; returns whether it applied. */
export function tuneHeapForBufferChurn(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => a === FLAG || a.startsWith(`${FLAG}=`) || a.startsWith('--heap_growing_percent'))) return false;
  setFlagsFromString(`${FLAG}=${HEAP_GROWING_PERCENT}`);
  return true;
}
