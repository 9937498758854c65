/** `cluster down`: stops what `up` started, by pid: api, controller, nodes, then etcd last. */
import type { Flags } from '@shoal/wire';
import { defaultConfig } from '../cluster-config';
import { readState, writeState, type ProcessEntry } from '../cluster-state';
import { stopProcess } from '../processes';
import type { Out } from './up';

const STOP_ORDER: ReadonlyArray<ProcessEntry['role']> = ['api', 'controller', 'storage-node', 'etcd'];

export async function down(flags: Flags, out: Out): Promise<void> {
  const dataDir = defaultConfig(flags.string('data', './data')).dataDir;
  const state = readState(dataDir);
  if (!state) { out(`no cluster in ${dataDir}`); return; }
  for (const role of STOP_ORDER) {
    const entries = Object.values(state.processes).filter((p) => p.role === role);
    const results = await Promise.all(entries.map(async (e) => [e, await stopProcess(e)] as const));
    for (const [e, result] of results) {
      if (result !== 'not-running') out(`${result} ${e.name} (pid ${e.pid})`);
      delete state.processes[e.name];
    }
    writeState(dataDir, state);
  }
  out(`shoal is down (data kept in ${dataDir})`);
}
