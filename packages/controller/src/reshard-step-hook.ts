/**
 * Test-only: lets the chaos suite crash the active controller at a named
 * step of a reshard round, so it can prove that the standby completes or
 * rolls back a round left at any step (docs/chaos.md). Off unless the
 * environment sets SHOAL_TEST_RESHARD_CRASH_FILE to a file path.
 *
 * The file holds one point, e.g. `after-closing`: `before-` or `after-`
 * followed by a round state the controller commits (`closing`, `done`,
 * `rolled-back`). When the controller reaches that point (just before it
 * commits that state, or just after the commit succeeded) it deletes the
 * file (so the point fires once, whichever controller is active) and
 * SIGKILLs itself. No file, or another point: nothing happens.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import type { Logger } from '@shoal/wire';
import type { RoundState } from './plans';

/** When, around the commit of a round state, a hook runs. */
export type ReshardHookPhase = 'before' | 'after';

/** Called by the controller around every commit of a reshard round state. */
export type ReshardStepHook = (phase: ReshardHookPhase, state: RoundState) => void;

export const RESHARD_CRASH_FILE_ENV = 'SHOAL_TEST_RESHARD_CRASH_FILE';

/** The point named in `file` (trimmed), or undefined when there is no such file. */
function armedPoint(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The crash hook from the environment, or undefined when it is off.
 * `exit` is injected for tests (default: SIGKILL of this process).
 */
export function reshardCrashHook(env: NodeJS.ProcessEnv, log: Logger, exit: () => void = () => process.kill(process.pid, 'SIGKILL')): ReshardStepHook | undefined {
  const file = env[RESHARD_CRASH_FILE_ENV];
  if (!file) return undefined;
  log.error('TEST-ONLY reshard crash hook is on', { file });
  return (phase, state) => {
    const point = `${phase}-${state}`;
    if (armedPoint(file) !== point) return;
    try { unlinkSync(file); } catch { /* another process consumed it first: still crash, the point was reached */ }
    log.error('TEST-ONLY reshard crash hook: exiting', { point });
    exit();
  };
}
