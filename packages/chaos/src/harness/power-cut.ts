/**
 * The power-cut disk layer (TEST-ONLY): native/powercut.c, an LD_PRELOAD
 * shim that journals what each storage node's process made durable (see
 * the format at the top of that file), and the cut itself: after SIGKILL,
 * every journaled file never synced since its creation is removed and
 * every other one is cut back to its last synced size, as a machine
 * losing power would leave it (model and limits in docs/chaos.md). The
 * journal is then emptied: what survived is the new durable baseline.
 *
 * The shim is compiled on demand with gcc (installed by .ci/run) into the
 * run folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** native/powercut.c, from dist/src/harness (compiled) or src/harness (ts-node). */
export const SHIM_SOURCE = resolve(__dirname, existsSync(resolve(__dirname, '../../native')) ? '../../native/powercut.c' : '../../../native/powercut.c');

/** Compiles the shim into `dir` (once per folder); returns the .so path. */
export function compileShim(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'powercut.so');
  if (!existsSync(out)) execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-o', out, SHIM_SOURCE, '-ldl'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

/** The environment that makes a process journal the files under `root`. */
export function shimEnv(shim: string, root: string, journal: string): Record<string, string> {
  mkdirSync(root, { recursive: true });
  return { LD_PRELOAD: shim, SHOAL_POWERCUT_ROOT: realpathSync(root), SHOAL_POWERCUT_JOURNAL: journal };
}

/** What a power cut leaves of one file: its size at the last sync, or nothing if never synced since creation. */
export type Durable = { readonly kind: 'synced'; readonly bytes: number } | { readonly kind: 'unsynced' };

/**
 * Replays a journal: the durable state of every file it mentions (files it
 * does not mention were durable before it began). Pure.
 */
export function replayJournal(text: string): Map<string, Durable> {
  const files = new Map<string, Durable>();
  for (const line of text.split('\n')) {
    const [op, bytesText, path, to] = line.split('\t');
    if (!op || path === undefined) continue; // the last line may be cut short
    const bytes = Number(bytesText);
    if (op === 'C') files.set(path, { kind: 'unsynced' });
    else if (op === 'S') files.set(path, { kind: 'synced', bytes });
    else if (op === 'F') {
      const d = files.get(path);
      // A truncation below the synced size is taken as durable (a metadata change the model does not undo).
      if (d?.kind === 'synced' && bytes < d.bytes) files.set(path, { kind: 'synced', bytes });
    } else if (op === 'R' && to !== undefined) {
      const d = files.get(path);
      files.delete(path);
      if (d) files.set(to, d); else files.delete(to); // renamed over: the target is the (durable) source now
    } else if (op === 'U') files.delete(path);
  }
  return files;
}

export interface PowerCutResult {
  readonly removedFiles: number;
  readonly truncatedFiles: number;
  readonly droppedBytes: number;
}

/** Applies the cut to the files the journal mentions (the process must be dead), then empties the journal. */
export function applyPowerCut(journal: string): PowerCutResult {
  const text = existsSync(journal) ? readFileSync(journal, 'utf8') : '';
  let removedFiles = 0;
  let truncatedFiles = 0;
  let droppedBytes = 0;
  for (const [path, d] of replayJournal(text)) {
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) continue;
      size = st.size;
    } catch {
      continue;
    }
    if (d.kind === 'unsynced') {
      unlinkSync(path);
      removedFiles++;
      droppedBytes += size;
    } else if (size > d.bytes) {
      truncateSync(path, d.bytes);
      truncatedFiles++;
      droppedBytes += size - d.bytes;
    }
  }
  writeFileSync(journal, '');
  return { removedFiles, truncatedFiles, droppedBytes };
}

/** The --data-dir of a storage node's spec. */
export function nodeDataDir(spec: { readonly name: string; readonly args: readonly string[] }): string {
  const i = spec.args.indexOf('--data-dir');
  if (i < 0 || i + 1 >= spec.args.length) throw new Error(`${spec.name} has no --data-dir`);
  return spec.args[i + 1]!;
}

/** Where the shim of storage node `name` journals (outside its data dir, so the cut never touches it). */
export function journalPath(clusterDir: string, name: string): string {
  return join(clusterDir, 'powercut', `${name}.journal`);
}

/** The shim's environment for one storage node of the cluster in `clusterDir` (compiles the shim once). */
export function powerCutEnv(clusterDir: string, spec: { readonly name: string; readonly args: readonly string[] }): Record<string, string> {
  const dir = join(clusterDir, 'powercut');
  return shimEnv(compileShim(dir), nodeDataDir(spec), journalPath(clusterDir, spec.name));
}
