/**
 * An opt-in CPU profile of a process, for finding where the time goes
 * under load (docs/storage.md, the benchmark): with the environment
 * variable SHOAL_CPU_PROFILE_DIR set, the process starts V8's sampling
 * profiler at once and writes `<dir>/<name>-<pid>-<n>.cpuprofile` (open it
 * in Chrome DevTools or any .cpuprofile viewer) when it shuts down, and on
 * each SIGUSR2: so two SIGUSR2 around a phase of a benchmark write a
 * profile of exactly that phase (the second file). Unset: nothing happens.
 * The same as `node --cpu-prof`, which processes started by
 * `scripts/cluster` cannot be given.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Starts profiling if SHOAL_CPU_PROFILE_DIR is set; returns the function that writes the profile (a no-op otherwise). */
export function startCpuProfileFromEnv(name: string): () => Promise<void> {
  const dir = process.env['SHOAL_CPU_PROFILE_DIR'];
  if (!dir) return async () => undefined;
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  let written = 0;
  /** Writes what was profiled since the last write and starts again. */
  const cut = (): Promise<void> => new Promise<void>((resolve) => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `${name}-${process.pid}-${written++}.cpuprofile`), JSON.stringify(result.profile));
      session.post('Profiler.start');
      resolve();
    });
  });
  process.on('SIGUSR2', () => { void cut(); });
  return async () => {
    await cut();
    session.disconnect();
  };
}
