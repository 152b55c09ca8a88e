#!/usr/bin/env bash
# A throwaway one-node Ceph cluster (1 mon, 1 memstore OSD, auth none) with radosgw on 127.0.0.1, for
# tests that need an S3 server that really enforces conditional writes (If-Match / If-None-Match).
#
#   scripts/rgw-up.sh DIR [S3_PORT] [MON_PORT]     (defaults 7480 and 40000)
#   scripts/rgw-down.sh DIR
#
# Needs the Debian packages radosgw, ceph-mon, ceph-osd (apt-get install -y --no-install-recommends).
# Everything (config, data, sockets, logs, pids) lives in DIR, which must be new, empty or a stopped
# earlier rgw-up DIR (it is wiped). The S3 API answers at http://127.0.0.1:S3_PORT with access key
# "rgwtest" / secret "rgwtest-secret", and has no buckets. On success it prints RGW_ENDPOINT,
# RGW_ACCESS_KEY and RGW_SECRET_KEY lines (also in DIR/env, sourceable) and the daemons keep running; on
# failure it kills what it started, prints the tail of the log that says why and exits non-zero.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 3 ]]; then
  echo "usage: $0 DIR [S3_PORT] [MON_PORT]" >&2
  exit 2
fi
DIR=$(realpath -m "$1")
S3_PORT=${2:-7480}
MON_PORT=${3:-40000}
ACCESS_KEY=rgwtest
SECRET_KEY=rgwtest-secret
FSID=0c5e8a1e-5f3d-4b7a-9d2e-7e57c0ffee01
START=$(date +%s%N)

for tool in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool; do
  if ! command -v "$tool" >/dev/null; then
    echo "rgw-up: $tool not found; install with: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd" >&2
    exit 1
  fi
done

elapsed() { echo "$(( ($(date +%s%N) - START) / 1000000 )) ms"; }
step() { echo "# rgw-up: $1 after $(elapsed)" >&2; }

# Something already listening would make a daemon fail later with a less obvious message.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$S3_PORT" "$MON_PORT"; do
  if port_open "$port"; then
    echo "rgw-up: port $port on 127.0.0.1 is already in use" >&2
    exit 1
  fi
done

# fail MESSAGE [LOG...]: stop what was started and explain, with the logs that most likely say why. It
# writes to fd 4, the script's stderr, because a trap can run while a polled command's stderr is /dev/null.
exec 4>&2
fail() {
  local message=$1 log
  shift
  trap - INT TERM
  echo "rgw-up: $message (after $(elapsed))" >&4
  for log in "$@"; do
    [[ -s "$log" ]] || continue
    echo "--- last lines of $log ---" >&4
    tail -n 25 "$log" >&4
  done
  if [[ -f "$DIR/pids" ]]; then
    # SIGKILL: a daemon still starting up may not act on SIGTERM, and memstore has nothing to save.
    # shellcheck disable=SC2046
    kill -KILL $(cat "$DIR/pids") 2>/dev/null || true
  fi
  echo "rgw-up: logs kept in $DIR/log; remove them with scripts/rgw-down.sh $DIR" >&4
  exit 1
}

# A daemon that exited stays a zombie child of this script, which kill -0 would still call alive.
running() { [[ -r "/proc/$1/status" ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }

# wait_for SECONDS PID DESCRIPTION "LOG..." COMMAND...: polls COMMAND every 0.2 s until it succeeds; gives
# up at once if daemon PID exits (a crashed daemon never comes up), else after SECONDS.
wait_for() {
  local seconds=$1 pid=$2 what=$3 logs
  read -r -a logs <<<"$4"
  shift 4
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    running "$pid" || fail "$what: the daemon (pid $pid) exited" "${logs[@]}"
    (( $(date +%s) < deadline )) || fail "$what: not within ${seconds}s" "${logs[@]}"
    sleep 0.2
  done
}

# DIR is wiped: only ever one of ours, and not while its daemons still run.
if [[ -d "$DIR" && -n "$(ls -A "$DIR")" ]]; then
  if [[ ! -f "$DIR/ceph.conf" ]]; then
    echo "rgw-up: $DIR is not empty and not an rgw-up directory; give a new or empty one" >&2
    exit 1
  fi
  while read -r pid; do
    if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$DIR/ceph.conf"; then
      echo "rgw-up: a cluster is still running in $DIR (pid $pid); stop it first: scripts/rgw-down.sh $DIR" >&2
      exit 1
    fi
  done < <(cat "$DIR/pids" 2>/dev/null)
fi
rm -rf "$DIR"
trap 'fail "interrupted"' INT TERM
mkdir -p "$DIR"/{run,log,mon/ceph-a,osd/ceph-0,rgw}
: >"$DIR/pids"

cat >"$DIR/ceph.conf" <<EOF
[global]
fsid = $FSID
mon_host = v2:127.0.0.1:$MON_PORT
public_network = 127.0.0.0/8
ms_bind_ipv6 = false
# No cephx anywhere: a test cluster on loopback, torn down after the run.
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
keyring = /dev/null
# One OSD: pools of size 1, few PGs, no health warnings about it.
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_max_pg_per_osd = 1000
mon_warn_on_pool_no_redundancy = false
run_dir = $DIR/run
admin_socket = $DIR/run/\$name.asok
log_file = $DIR/log/\$name.log
pid_file = $DIR/run/\$name.pid
[mon]
mon_data = $DIR/mon/\$cluster-\$id
# Commit map changes at once instead of batching them for 1 s: radosgw's start-up makes ~10 of them.
paxos_propose_interval = 0.01
paxos_min_wait = 0.001
[osd]
osd_data = $DIR/osd/\$cluster-\$id
# In memory: nothing to format, nothing left behind, fast.
osd_objectstore = memstore
memstore_device_bytes = 1073741824
[client.rgw]
# radosgw's built-in defaults ask for cephx and a "secure" mon session; without these it fails with -13.
ms_mon_client_mode = crc
auth_client_required = none
rgw_data = $DIR/rgw
# Without tcp_nodelay every small response waits for a delayed ACK (~40 ms per request).
rgw_frontends = beast endpoint=127.0.0.1:$S3_PORT tcp_nodelay=1
EOF
CONF=(-c "$DIR/ceph.conf")
CLI=(timeout 30 ceph "${CONF[@]}" --connect-timeout 10)

monmaptool --create --addv a "[v2:127.0.0.1:$MON_PORT]" --fsid "$FSID" --enable-all-features \
  --set-min-mon-release pacific "$DIR/monmap" >"$DIR/log/mkfs.out" 2>&1 || fail "monmaptool failed" "$DIR/log/mkfs.out"
ceph-mon "${CONF[@]}" --mkfs -i a --monmap "$DIR/monmap" >>"$DIR/log/mkfs.out" 2>&1 || fail "ceph-mon --mkfs failed" "$DIR/log/mkfs.out"

# setsid: the daemons outlive this script and ignore a Ctrl-C meant for the caller; rgw-down stops them.
setsid ceph-mon "${CONF[@]}" -i a -f </dev/null >"$DIR/log/mon.out" 2>&1 4>&- &
MON_PID=$!
echo "$MON_PID" >>"$DIR/pids"
wait_for 30 "$MON_PID" "ceph-mon answering" "$DIR/log/mon.out $DIR/log/mon.a.log" "${CLI[@]}" mon stat
step "monitor up"

OSD_ID=$("${CLI[@]}" osd create 2>>"$DIR/log/mkfs.out") || fail "ceph osd create failed" "$DIR/log/mkfs.out"
[[ "$OSD_ID" == 0 ]] || fail "expected osd.0, the monitor gave osd.$OSD_ID" "$DIR/log/mkfs.out"
ceph-osd "${CONF[@]}" -i 0 --mkfs >>"$DIR/log/mkfs.out" 2>&1 || fail "ceph-osd --mkfs failed" "$DIR/log/osd.0.log"
"${CLI[@]}" osd crush add osd.0 1.0 root=default >>"$DIR/log/mkfs.out" 2>&1 || fail "ceph osd crush add failed" "$DIR/log/mkfs.out"
setsid ceph-osd "${CONF[@]}" -i 0 -f </dev/null >"$DIR/log/osd.out" 2>&1 4>&- &
OSD_PID=$!
echo "$OSD_PID" >>"$DIR/pids"
osd_up() { "${CLI[@]}" osd stat | grep -q ' 1 up'; }
wait_for 60 "$OSD_PID" "ceph-osd coming up" "$DIR/log/osd.out $DIR/log/osd.0.log" osd_up
step "osd.0 up"

setsid radosgw "${CONF[@]}" -n client.rgw -f --rgw-init-timeout 90 </dev/null >"$DIR/log/rgw.out" 2>&1 4>&- &
RGW_PID=$!
echo "$RGW_PID" >>"$DIR/pids"
# radosgw creates its pools and default zone before it listens; any HTTP status line means it serves.
rgw_serves() (
  exec 3<>"/dev/tcp/127.0.0.1/$S3_PORT" || exit 1
  printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  read -r -t 5 line <&3
  [[ "$line" == HTTP/1.1* ]]
)
wait_for 90 "$RGW_PID" "radosgw serving on 127.0.0.1:$S3_PORT" "$DIR/log/rgw.out $DIR/log/client.rgw.log" rgw_serves
step "radosgw serving"

# Its own log and no admin socket: the running radosgw holds client.rgw's.
timeout 60 radosgw-admin "${CONF[@]}" -n client.rgw --admin-socket= --log-file="$DIR/log/radosgw-admin.log" user create --uid=rgwtest --display-name="rgw test" \
  --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >"$DIR/log/user.out" 2>&1 ||
  fail "radosgw-admin user create failed" "$DIR/log/user.out"

echo "# radosgw up after $(elapsed); pids $(tr '\n' ' ' <"$DIR/pids")" >&2
cat <<EOF | tee "$DIR/env"
RGW_ENDPOINT=http://127.0.0.1:$S3_PORT
RGW_ACCESS_KEY=$ACCESS_KEY
RGW_SECRET_KEY=$SECRET_KEY
EOF
