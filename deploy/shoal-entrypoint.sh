#!/bin/sh
# Entrypoint of the shoal image: the first argument (or $SHOAL_ROLE) picks
# the process; the remaining arguments are its flags, and every flag can
# also come from the environment as SHOAL_<NAME> (docs/contracts.md).
#   shoal storage-node | controller | api [--flag value ...]
set -eu
role="${1:-${SHOAL_ROLE:-}}"
[ $# -gt 0 ] && shift
if [ "$role" = api ]; then
  # A certificate named by SHOAL_TLS_CERT that is not there (an optional Kubernetes Secret left out): serve the
  # self-signed one in SHOAL_TLS_DIR instead. Missing credentials with SHOAL_AUTH=sigv4 stop the api (never run open).
  if [ -n "${SHOAL_TLS_CERT:-}" ] && [ ! -e "$SHOAL_TLS_CERT" ]; then
    echo "shoal: $SHOAL_TLS_CERT not found; serving a self-signed certificate from ${SHOAL_TLS_DIR:-./data/tls}" >&2
    unset SHOAL_TLS_CERT SHOAL_TLS_KEY
  fi
fi
case "$role" in
  storage-node|controller|api) exec node "/opt/shoal/packages/$role/dist/src/main.js" "$@" ;;
  *) echo "usage: shoal storage-node|controller|api [flags] (or set SHOAL_ROLE)" >&2; exit 64 ;;
esac
