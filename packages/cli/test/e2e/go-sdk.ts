/**
 * The AWS SDKs for Go (v1 and v2) the end-to-end tests drive: Debian's
 * packages of them (golang-github-aws-aws-sdk-go-dev,
 * golang-github-aws-aws-sdk-go-v2-dev) under its GOPATH, built offline in
 * GOPATH mode with Debian's Go (golang-go). The program is in ./go: one
 * binary, run per SDK and endpoint (`kinesis-check v1|v2 ENDPOINT [CA_PEM]`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/cluster-config';

const DEBIAN_GOPATH = '/usr/share/gocode';
const SDK_SOURCES = ['github.com/aws/aws-sdk-go/service/kinesis', 'github.com/aws/aws-sdk-go-v2/service/kinesis'];
const BUILD_TIMEOUT_MS = 300_000;

export type GoSdk = 'v1' | 'v2';

/** Builds the test program into `dir` and returns the binary's path; fails the test when Go or an SDK is not installed. */
export function buildGoProgram(dir: string): string {
  for (const source of SDK_SOURCES) {
    if (!existsSync(join(DEBIAN_GOPATH, 'src', source))) {
      throw new Error(`no ${source} under ${DEBIAN_GOPATH}: install golang-go golang-github-aws-aws-sdk-go-dev golang-github-aws-aws-sdk-go-v2-dev (scripts/test does)`);
    }
  }
  const out = join(dir, 'kinesis-check');
  execFileSync('go', ['build', '-o', out, '.'], {
    cwd: join(REPO_ROOT, 'packages/cli/test/e2e/go'),
    env: { ...process.env, GO111MODULE: 'off', GOPATH: DEBIAN_GOPATH, GOPROXY: 'off', GOCACHE: join(tmpdir(), 'shoal-go-build-cache') },
    stdio: ['ignore', 'pipe', 'pipe'], timeout: BUILD_TIMEOUT_MS,
  });
  return out;
}
