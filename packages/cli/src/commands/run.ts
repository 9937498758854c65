/** `cluster run` (npm start): `up`, then stay in the foreground until SIGINT/SIGTERM, then `down`. */
import type { Flags } from '@shoal/wire';
import { RUN_CHECK_INTERVAL_MS } from '../cli-limits';
import { isRunning } from '../processes';
import { down } from './down';
import { up, type Out } from './up';

export async function run(flags: Flags, out: Out): Promise<void> {
  const state = await up(flags, out);
  out('running in the foreground; press Ctrl-C to stop the cluster');
  const reported = new Set<string>();
  const check = setInterval(() => {
    for (const p of Object.values(state.processes)) {
      if (reported.has(p.name) || isRunning(p)) continue;
      reported.add(p.name);
      out(`warning: ${p.name} (pid ${p.pid}) exited; see ${p.logFile}`);
    }
  }, RUN_CHECK_INTERVAL_MS);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  clearInterval(check);
  out(`${signal}: stopping the cluster`);
  await down(flags, out);
}
