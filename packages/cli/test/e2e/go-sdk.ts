/**
 * The AWS SDKs for Go (v1 and v2) the end-to-end tests drive: Debian's
 * packages of them (golang-github-aws-aws-sdk-go-dev,
 * golang-github-aws-aws-sdk-go-v2-dev) under its GOPATH, built offline in
 * GOPATH mode with Debian's Go (golang-go). The programs are in ./go.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/cluster-config';

const DEBIAN_GOPATH = '/usr/share/gocode';
const SDK_SOURCES = {
  v1: 'github.com/aws/aws-sdk-go/service/kinesis',
  v2: 'github.com/aws/aws-sdk-go-v2/service/kinesis',
} as const;
const BUILD_TIMEOUT_MS = 300_000;

export type GoSdk = keyof typeof SDK_SOURCES;

/** Builds the test program for `sdk` and returns the binary's path; fails the test when Go or the SDK is not installed. */
export function buildGoProgram(sdk: GoSdk): string {
  if (!existsSync(join(DEBIAN_GOPATH, 'src', SDK_SOURCES[sdk]))) {
    throw new Error(`no AWS SDK for Go ${sdk} under ${DEBIAN_GOPATH}: install golang-go golang-github-aws-aws-sdk-go-dev golang-github-aws-aws-sdk-go-v2-dev (.ci/run does)`);
  }
  const out = join(mkdtempSync(join(tmpdir(), `shoal-go-${sdk}-`)), 'kinesis-check');
  execFileSync('go', ['build', '-o', out, '.'], {
    cwd: join(REPO_ROOT, 'packages/cli/test/e2e/go', sdk),
    env: { ...process.env, GO111MODULE: 'off', GOPATH: DEBIAN_GOPATH, GOPROXY: 'off', GOCACHE: join(tmpdir(), 'shoal-go-build-cache') },
    stdio: ['ignore', 'pipe', 'pipe'], timeout: BUILD_TIMEOUT_MS,
  });
  return out;
}
