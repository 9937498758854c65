#!/usr/bin/env bash
# Builds the shoal container image (one image, every role) and the etcd
# image the compose cluster uses.
#
#   deploy/build-images.sh [--no-build]
#
# 1. Builds the TypeScript (npm run gen, tsc -b of the three servers) unless
#    --no-build.
# 2. Stages a build context of only what runs: package.json + dist/src of
#    core, wire, metadata, storage-node, controller and api, proto/, the
#    production node_modules of those packages (from `npm ls --omit=dev`),
#    and the role entrypoint. Tests, sources and dev dependencies stay out.
# 3. Picks the base image: $BASE_IMAGE if set; else node:20-bookworm-slim
#    if it is present or can be pulled; else a local one made by
#    deploy/build-local-base.sh (no registry needed).
# 4. docker build -f deploy/Dockerfile -t $SHOAL_IMAGE (default
#    shoal:<version of packages/api>).
# Prints the image names, one per line, as `SHOAL_IMAGE=...` and
# `ETCD_IMAGE=...` (eval-able).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BUILD=1
[ "${1:-}" = "--no-build" ] && BUILD=0
RUNTIME_PACKAGES=(core wire metadata storage-node controller api)
SERVER_WORKSPACES=(-w @shoal/storage-node -w @shoal/controller -w @shoal/api)
PUBLIC_BASE=node:20-bookworm-slim
VERSION="$(node -p 'require("./packages/api/package.json").version')"
SHOAL_IMAGE="${SHOAL_IMAGE:-shoal:$VERSION}"

log() { echo "build-images: $*" >&2; }

if [ "$BUILD" = 1 ]; then
  log "building TypeScript"
  npm run --silent gen >&2
  npx tsc -b packages/storage-node packages/controller packages/api >&2
fi

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
APP="$STAGE/app"
mkdir -p "$APP/packages" "$APP/node_modules/@shoal" "$STAGE/data"
cp package.json "$APP/"
cp -r proto "$APP/proto"
for pkg in "${RUNTIME_PACKAGES[@]}"; do
  [ -f "packages/$pkg/dist/src/index.js" ] || [ -f "packages/$pkg/dist/src/main.js" ] \
    || { log "packages/$pkg/dist/src is not built (run without --no-build)"; exit 1; }
  mkdir -p "$APP/packages/$pkg/dist"
  cp "packages/$pkg/package.json" "$APP/packages/$pkg/"
  cp -r "packages/$pkg/dist/src" "$APP/packages/$pkg/dist/src"
  ln -s "../../packages/$pkg" "$APP/node_modules/@shoal/$pkg"
done
# Production dependencies of the three servers, as npm resolved them in the
# lockfile; nested node_modules come along with their parent directory.
npm ls --omit=dev --all --parseable "${SERVER_WORKSPACES[@]}" 2>/dev/null \
  | sed "s|^$ROOT/||" | grep '^node_modules/' | grep -v '^node_modules/@shoal/' \
  | sort -u \
  | while read -r dir; do
      case "$dir" in node_modules/*/node_modules/*) continue ;; esac
      mkdir -p "$APP/$(dirname "$dir")"
      cp -r "$dir" "$APP/$dir"
    done
find "$APP/node_modules" -path '*/node_modules/*/prebuilds/*' -prune -type d \
  ! -name 'linux-x64' -exec rm -rf {} +
mkdir -p "$APP/bin"
cp deploy/shoal-entrypoint.sh "$APP/bin/shoal"
chmod 755 "$APP/bin/shoal"
cp deploy/Dockerfile "$STAGE/Dockerfile"
log "staged $(du -sh "$APP" | cut -f1) of application files"

ETCD_IMAGE_BUILT=""
if [ -z "${BASE_IMAGE:-}" ]; then
  if docker image inspect "$PUBLIC_BASE" >/dev/null 2>&1 || docker pull -q "$PUBLIC_BASE" >/dev/null 2>&1; then
    BASE_IMAGE="$PUBLIC_BASE"
  else
    log "no registry: building local base images"
    mapfile -t bases < <("$ROOT/deploy/build-local-base.sh")
    BASE_IMAGE="${bases[0]% (exists)}"
    ETCD_IMAGE_BUILT="${bases[1]% (exists)}"
  fi
fi
if [ -z "$ETCD_IMAGE_BUILT" ]; then
  ETCD_IMAGE_BUILT="$("$ROOT/deploy/build-local-base.sh" | tail -1)"
  ETCD_IMAGE_BUILT="${ETCD_IMAGE_BUILT% (exists)}"
fi
log "docker build $SHOAL_IMAGE from $BASE_IMAGE"
docker build -q --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$SHOAL_IMAGE" "$STAGE" >/dev/null
echo "SHOAL_IMAGE=$SHOAL_IMAGE"
echo "ETCD_IMAGE=$ETCD_IMAGE_BUILT"
