#!/usr/bin/env bash
# Installs, with apt-get, the system packages the tests use that are
# missing (nothing when all are there): etcd, the AWS CLI v2, boto3, Go and
# Debian's AWS SDKs for Go v1 and v2, Prometheus (promtool too), and the C
# and C++ toolchain. Sourced by scripts/test (before npm ci: installing
# builds LevelDB with g++ and make) and by .ci/run. As root, or through sudo.
test_system_deps() {
  local packages=()
  command -v etcd >/dev/null 2>&1 || packages+=(etcd-server)
  [ -x /usr/bin/aws ] || packages+=(awscli)
  python3 -c 'import boto3' >/dev/null 2>&1 || packages+=(python3-boto3)
  # Go and the SDKs: an end-to-end test builds its programs offline (packages/cli/test/e2e/go).
  command -v go >/dev/null 2>&1 || packages+=(golang-go)
  [ -d /usr/share/gocode/src/github.com/aws/aws-sdk-go/service/kinesis ] || packages+=(golang-github-aws-aws-sdk-go-dev)
  [ -d /usr/share/gocode/src/github.com/aws/aws-sdk-go-v2/service/kinesis ] || packages+=(golang-github-aws-aws-sdk-go-v2-dev)
  # Prometheus (promtool too): the metrics e2e test scrapes a running cluster with it (docs/observability.md).
  command -v prometheus >/dev/null 2>&1 || packages+=(prometheus)
  # gcc builds the chaos suite's power-cut shim (packages/chaos/native/powercut.c);
  # g++ and make build LevelDB with the CPU's CRC32C at npm ci (scripts/build-leveldb.mjs).
  command -v gcc >/dev/null 2>&1 || packages+=(gcc libc6-dev)
  command -v g++ >/dev/null 2>&1 || packages+=(g++)
  command -v make >/dev/null 2>&1 || packages+=(make)
  [ ${#packages[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  echo "installing system packages the tests use: apt-get install ${packages[*]}" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" </dev/null
}
