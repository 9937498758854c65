#!/usr/bin/env bash
# Cuts one availability zone of the compose cluster off, or brings it back.
#
#   deploy/compose/zone.sh isolate az-a     # disconnect the zone's storage nodes
#   deploy/compose/zone.sh restore az-a     # reconnect them and restart them
#   deploy/compose/zone.sh status           # which zone networks each node is on
#
# A zone's storage nodes are the services whose SHOAL_AZ is that zone
# (a1, a2, ... for az-a). Each is on exactly two networks, its zone network
# and `storage`; disconnecting it from both leaves it running but unable to
# reach etcd, the api or its peers, like a lost AZ: its lease expires, the
# controller moves leadership to the other zones, and it must not
# acknowledge anything meanwhile.
# restore reconnects the networks and restarts the containers: a node's
# listeners were bound to the addresses it lost, and Docker hands out new
# ones on reconnect.
# COMPOSE_PROJECT_NAME selects the project (default: shoal).
set -euo pipefail
PROJECT="${COMPOSE_PROJECT_NAME:-shoal}"
STOP_TIMEOUT_SEC=15

usage() { echo "usage: $0 isolate|restore az-a|az-b|az-c, or $0 status" >&2; exit 64; }

# zone_containers AZ: "container-id service" of each storage node in AZ.
zone_containers() {
  local az="$1" id env service
  for id in $(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT"); do
    env="$(docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$id")"
    grep -qx "SHOAL_AZ=$az" <<<"$env" || continue
    service="$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' "$id")"
    echo "$id $service"
  done
}

isolate() {
  local az="$1" id service net
  while read -r id service; do
    [ -n "$id" ] || continue
    for net in "${PROJECT}_$az" "${PROJECT}_storage"; do
      docker network disconnect -f "$net" "$id" 2>/dev/null || true
    done
    echo "zone $az: $service disconnected from ${PROJECT}_$az and ${PROJECT}_storage"
  done < <(zone_containers "$az")
}

restore() {
  local az="$1" id service
  while read -r id service; do
    [ -n "$id" ] || continue
    docker network connect --alias "$service" "${PROJECT}_$az" "$id" 2>/dev/null || true
    docker network connect --alias "$service" --alias "$service.storage" "${PROJECT}_storage" "$id" 2>/dev/null || true
    docker restart -t "$STOP_TIMEOUT_SEC" "$id" >/dev/null
    echo "zone $az: $service reconnected and restarted"
  done < <(zone_containers "$az")
}

status() {
  docker ps --filter "label=com.docker.compose.project=$PROJECT" \
    --format '{{.Label "com.docker.compose.service"}}	{{.Status}}	{{.Networks}}' | sort
}

case "${1:-}" in
  isolate|restore) [[ "${2:-}" =~ ^az-[a-z]$ ]] || usage; "$1" "$2" ;;
  status) status ;;
  *) usage ;;
esac
