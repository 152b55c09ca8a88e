#!/usr/bin/env bash
# Stops the cluster scripts/rgw-up.sh started in DIR and removes DIR. Safe to run twice, or on a DIR whose
# start-up failed half-way.
#   scripts/rgw-down.sh DIR
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
DIR=$(realpath -m "$1")
[[ -e "$DIR" ]] || exit 0
# An empty one: made by the caller (mktemp -d) for an rgw-up.sh that never started.
if [[ -d "$DIR" && -z "$(ls -A "$DIR")" ]]; then
  rmdir "$DIR"
  exit 0
fi
# Never wipe a directory rgw-up.sh did not make.
if [[ ! -f "$DIR/ceph.conf" && ! -f "$DIR/pids" ]]; then
  echo "rgw-down: $DIR does not look like an rgw-up.sh directory; leaving it alone" >&2
  exit 1
fi

# Only our daemons: a pid whose command line names this DIR's config (pids get reused).
ours() { [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$DIR/ceph.conf"; }

pids=()
if [[ -f "$DIR/pids" ]]; then
  while read -r pid; do
    [[ "$pid" =~ ^[0-9]+$ ]] && ours "$pid" && pids+=("$pid")
  done <"$DIR/pids"
fi
if ((${#pids[@]})); then
  kill -TERM "${pids[@]}" 2>/dev/null || true
  # Up to 1 s for a clean exit, then SIGKILL: memstore keeps nothing worth waiting for, and radosgw and
  # the OSD take ~5 s to leave once they notice the monitor is gone.
  for _ in $(seq 1 5); do
    remaining=()
    for pid in "${pids[@]}"; do ours "$pid" && remaining+=("$pid"); done
    ((${#remaining[@]})) || break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do ours "$pid" && kill -KILL "$pid" 2>/dev/null || true; done
fi
rm -rf "$DIR"
