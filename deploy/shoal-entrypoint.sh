#!/bin/sh
# Entrypoint of the shoal image: the first argument (or $SHOAL_ROLE) picks
# the process; the remaining arguments are its flags, and every flag can
# also come from the environment as SHOAL_<NAME> (docs/contracts.md).
#   shoal storage-node | controller | api [--flag value ...]
set -eu
role="${1:-${SHOAL_ROLE:-}}"
[ $# -gt 0 ] && shift
case "$role" in
  storage-node|controller|api) exec node "/opt/shoal/packages/$role/dist/src/main.js" "$@" ;;
  *) echo "usage: shoal storage-node|controller|api [flags] (or set SHOAL_ROLE)" >&2; exit 64 ;;
esac
