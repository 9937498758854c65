# Sourced by scripts/cluster and scripts/shoal (run from the repository root):
# installs the npm dependencies when missing (npm ci; also when the shoal
# command's bin link is missing, i.e. node_modules predates it) and builds
# when an entry point is missing or older than a source.

log() { echo "scripts/$(basename "$0"): $*" >&2; }

ensure_node_modules() {
  if [ ! -d node_modules ] || [ ! -e node_modules/.package-lock.json ] || [ ! -e node_modules/.bin/shoal ]; then
    log "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund >&2
  fi
}

# Build if a package's entry point is missing or one of its sources is newer
# than its tsbuildinfo (which tsc -b rewrites whenever it rebuilds the package;
# proto changes count for wire, whose generated types come from them).
ensure_build() {
  local pkg main info
  for pkg in core wire metadata storage-node controller api cli shoal; do
    main="packages/$pkg/dist/src/main.js"
    case $pkg in core|wire|metadata) main="packages/$pkg/dist/src/index.js" ;; esac
    info="packages/$pkg/dist/tsconfig.tsbuildinfo"
    if [ ! -e "$main" ] || [ ! -e "$info" ] ||
      [ -n "$(find "packages/$pkg/src" "packages/$pkg/test" $([ "$pkg" = wire ] && echo proto) -newer "$info" \( -name '*.ts' -o -name '*.proto' \) -not -path '*/src/gen/*' -print -quit 2>/dev/null)" ]; then
      log "building (npm run build)"
      npm run --silent build >&2
      return
    fi
  done
}
