#!/usr/bin/env bash
# npm run test:rgw: a throwaway Ceph RGW on free ports, the RGW tests against it, then RGW stopped and its
# directory removed whatever happened. Exits with vitest's code (or rgw-up's, if RGW did not come up).
# Extra arguments go to vitest, e.g. `npm run test:rgw -- -t counter`.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=$(mktemp -d "${TMPDIR:-/tmp}/rgw-test.XXXXXX")
trap 'scripts/rgw-down.sh "$DIR"' EXIT
# On Ctrl-C or a CI timeout: stop vitest too, then leave through the EXIT trap.
child=
interrupted() {
  [[ -n "$child" ]] && kill -TERM "$child" 2>/dev/null
  exit "$1"
}
trap 'interrupted 130' INT
trap 'interrupted 143' TERM

# Two free ports, held open together so they differ; rgw-up checks again that they are still free.
read -r S3_PORT MON_PORT < <(node -e '
  const net = require("node:net");
  const servers = [net.createServer(), net.createServer()];
  let ready = 0;
  for (const s of servers) s.listen(0, "127.0.0.1", () => {
    if (++ready < 2) return;
    console.log(servers.map((x) => x.address().port).join(" "));
    for (const x of servers) x.close();
  });
')

scripts/rgw-up.sh "$DIR" "$S3_PORT" "$MON_PORT" >/dev/null
set -a
# shellcheck source=/dev/null
. "$DIR/env"
set +a

# In the background so a signal reaches the trap at once instead of after vitest ends.
node_modules/.bin/vitest run --config vitest.rgw.config.ts "$@" &
child=$!
status=0
wait "$child" || status=$?
exit "$status"
