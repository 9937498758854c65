#!/usr/bin/env bash
# Builds the two base images shoal's containers need, from binaries already
# on this machine, for hosts that reach no image registry (`docker import`
# needs none):
#   shoal-node-base:<node version>  the node binary, the shared libraries
#                                    `ldd` lists for it, a static busybox
#   shoal-etcd:<etcd version>        Debian's etcd binary (+ its libraries,
#                                    + busybox for the health check wget)
# Where a registry is reachable you do not need this: deploy/Dockerfile
# defaults to BASE_IMAGE=node:20-bookworm-slim.
#
# Usage: deploy/build-local-base.sh            prints the two image names
# Needs: docker, node, busybox-static (/bin/busybox), etcd-server (/usr/bin/etcd).
set -euo pipefail

NODE_BIN="$(command -v node)"
ETCD_BIN="${ETCD_BIN:-/usr/bin/etcd}"
BUSYBOX_BIN="${BUSYBOX_BIN:-/bin/busybox}"
[ -x "$BUSYBOX_BIN" ] || BUSYBOX_BIN=/usr/bin/busybox
for bin in "$NODE_BIN" "$ETCD_BIN" "$BUSYBOX_BIN"; do
  [ -x "$bin" ] || { echo "build-local-base: missing $bin (apt-get install nodejs etcd-server busybox-static)" >&2; exit 1; }
done
# Capture the banner first: piping into `grep -q` under pipefail races with
# SIGPIPE to busybox and fails at random.
busybox_banner="$("$BUSYBOX_BIN" 2>&1 || true)"
if [[ "$busybox_banner" != *BusyBox* ]] || ldd "$BUSYBOX_BIN" >/dev/null 2>&1; then
  echo "build-local-base: $BUSYBOX_BIN is not a static busybox (apt-get install busybox-static)" >&2; exit 1
fi

NODE_VERSION="$("$NODE_BIN" --version)"                                # v20.20.2
ETCD_VERSION="$("$ETCD_BIN" --version | awk '/etcd Version/ {print $3}')"  # 3.4.23
NODE_IMAGE="shoal-node-base:${NODE_VERSION#v}"
ETCD_IMAGE="shoal-etcd:${ETCD_VERSION}"

# make_rootfs DIR BIN DEST: a minimal root file system in DIR holding BIN at
# DEST, its shared libraries at their own paths, busybox and its applets in
# /bin, and the few /etc files glibc and node look at.
make_rootfs() {
  local dir="$1" bin="$2" dest="$3" lib
  mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/usr/local/bin"
  chmod 1777 "$dir/tmp"
  cp "$bin" "$dir$dest"
  for lib in $(ldd "$bin" | grep -o '/[^ ]*' | sort -u); do
    mkdir -p "$dir$(dirname "$lib")"
    cp -L "$lib" "$dir$lib"
  done
  cp "$BUSYBOX_BIN" "$dir/bin/busybox"
  for applet in sh ash wget cat ls mkdir rm sleep env ps kill hostname nslookup ip; do
    ln -s busybox "$dir/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nshoal:x:10001:10001:shoal:/data:/bin/sh\n' > "$dir/etc/passwd"
  printf 'root:x:0:\nshoal:x:10001:\n' > "$dir/etc/group"
  printf 'hosts: files dns\n' > "$dir/etc/nsswitch.conf"
}

# import DIR IMAGE ENTRY...: tars DIR into IMAGE unless that tag exists.
import_image() {
  local dir="$1" image="$2"
  if docker image inspect "$image" >/dev/null 2>&1; then echo "$image (exists)"; return; fi
  tar -C "$dir" -c . | docker import \
    --change 'ENV PATH=/usr/local/bin:/bin' \
    --change 'WORKDIR /' \
    - "$image" >/dev/null
  echo "$image"
}

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
make_rootfs "$WORK/node" "$NODE_BIN" /usr/local/bin/node
import_image "$WORK/node" "$NODE_IMAGE"
make_rootfs "$WORK/etcd" "$ETCD_BIN" /usr/local/bin/etcd
import_image "$WORK/etcd" "$ETCD_IMAGE"
