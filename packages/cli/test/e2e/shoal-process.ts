/**
 * Runs the `shoal` command as a user does: its bin (packages/shoal/bin/shoal.js,
 * what `npx shoal` and scripts/shoal run) in a child process, with an
 * environment cleaned of the machine's AWS settings (shared files in a
 * temporary directory, no instance metadata lookups).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/cluster-config';

export const SHOAL_BIN = join(REPO_ROOT, 'packages/shoal/bin/shoal.js');
const RUN_TIMEOUT_MS = 180_000;

export interface ShoalResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** AWS shared files in `dir` (an empty directory the caller owns): `[profile NAME]` with a region each, credentials for each. */
export function awsHome(dir: string, profiles: Readonly<Record<string, string>>): { readonly configFile: string; readonly credentialsFile: string } {
  const configFile = join(dir, 'config');
  const credentialsFile = join(dir, 'credentials');
  writeFileSync(configFile, Object.entries(profiles).map(([name, region]) => `[profile ${name}]\nregion = ${region}\n`).join('\n'));
  writeFileSync(credentialsFile, Object.keys(profiles).map((name) => `[${name}]\naws_access_key_id = AKID${name.toUpperCase()}\naws_secret_access_key = secret-${name}\n`).join('\n'));
  return { configFile, credentialsFile };
}

/** The process environment without AWS_* variables, plus `extra`. */
export function cleanEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

/** Starts `shoal ARGS`; stdin stays open for the caller. */
export function startShoal(args: readonly string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [SHOAL_BIN, ...args], { env, stdio: 'pipe' });
}

/** Collects a started process's output until it exits. */
export function finished(child: ChildProcessWithoutNullStreams, timeoutMs = RUN_TIMEOUT_MS): Promise<ShoalResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`shoal ${child.spawnargs.slice(2).join(' ')} ran over ${timeoutMs} ms`)); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Runs `shoal ARGS` to its end, with `input` on stdin. */
export function runShoal(args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<ShoalResult> {
  const child = startShoal(args, env);
  const done = finished(child);
  child.stdin.end(input ?? '');
  return done;
}

/** stdout as JSON lines (throws on a line that is not JSON). */
export function jsonLines<T>(stdout: string): T[] {
  return stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T);
}
