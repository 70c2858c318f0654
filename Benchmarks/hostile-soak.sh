#!/usr/bin/env bash
# Hostile soak (issue 10): `homeport run` with only the built-in rendezvous and relay servers,
# under --minutes N (default 10) of mixed hostile load from loopback addresses, with a
# legitimate client alongside (Benchmarks/HostileSoak). Not a timed test.
#
# Hostile (127.0.0.10–.41, and 127.0.0.77 for the crowd; bounded, ≤ 600 sockets at once):
#   * UDP to P, 250/s: malformed datagrams, RegisterPk/RegisterPeer for random ids, and a
#     ConfigUpdate every 5 s (from loopback, naming only 127.0.0.66);
#   * malformed TCP frames to P, P−1 and R (garbage, 1 GiB and 200 kB headers, nested groups,
#     RegisterPk over TCP, empty frames, wrong relay key);
#   * slowloris: a header announcing 60 000 bytes, then a byte every 20 s (P and R);
#   * relay connections parked under random uuids that never pair;
#   * WebSocket abuse on P+2 and R+2 (8 connections at once, ≤ 1/s each): 4 MiB messages,
#     unfinished fragmented 3 MiB messages, garbage messages, 1 MiB text, 2^62-byte headers, unmasked frames; plus connections that
#     never upgrade (silent, half a request, a request line dripped a byte every 5 s);
#   * a crowd of 300 concurrent silent connections from the single address 127.0.0.77.
# Legitimate (127.0.0.8 and .9, every 5 s): RegisterPk + RegisterPeer over UDP; a
# PunchHoleRequest (over TCP and over WebSocket in turn) that B answers with a RelayResponse,
# then both meet at the relay and exchange checked bytes; a WebSocket ↔ TCP relay session.
# Every 10 s: VmRSS and open fds of the daemon and both children (/proc), legitimate
# successes, hostile activity. Ends with a summary and the verdict line
#   soak: rss growth X MB (…), fds max N, legit 100.0% (n/n) — PASS|FAIL
# and writes the samples as CSV (and the daemon log) to $OUT.
# Exit status: 0 PASS; 1 when a legitimate attempt failed, RSS of daemon + children grew more
# than --max-growth-mb (20) after the warm-up (a fifth of the run, 10–120 s), or a server
# died or was restarted; 2 when the daemon did not start or died. Only loopback is contacted:
# [ip], [router] and DDNS are off in the generated config.
#
# Usage: Benchmarks/hostile-soak.sh [--minutes N] [HostileSoak options, see --help]
#   CONFIG=debug   build configuration (default release)
#   SCRATCH=path   build directory (default .build)
#   OUT=dir        where the CSV and the daemon log go (default $SCRATCH/hostile-soak)
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${CONFIG:-release}
SCRATCH=${SCRATCH:-.build}
OUT=${OUT:-$SCRATCH/hostile-soak}
MINUTES=10
PASS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) MINUTES=${2:?--minutes needs a value}; shift 2 ;;
        --minutes=*) MINUTES=${1#--minutes=}; shift ;;
        *) PASS+=("$1"); shift ;;
    esac
done

swift build --scratch-path "$SCRATCH" -c "$CONFIG" --product homeport >/dev/null
swift build --scratch-path "$SCRATCH" -c "$CONFIG" --product HostileSoak >/dev/null
BIN_DIR=$(swift build --scratch-path "$SCRATCH" -c "$CONFIG" --show-bin-path)
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
CSV="$OUT/hostile-soak-$STAMP.csv"

WORK=$(mktemp -d /tmp/hostile-soak.XXXXXX)
DAEMON_PID=""
BENCH_PID=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$BENCH_PID" ] && kill -0 "$BENCH_PID" 2>/dev/null; then kill -TERM "$BENCH_PID" 2>/dev/null || true; fi
    if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
        # The children go with the daemon (parent-death signal); their pids are kept to check.
        local children
        children=$(awk -v p="$DAEMON_PID" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null || true)
        kill -TERM "$DAEMON_PID" 2>/dev/null || true
        for _ in $(seq 1 150); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$DAEMON_PID" 2>/dev/null || true
        for child in $children; do
            if { tr '\0' ' ' <"/proc/$child/cmdline"; } 2>/dev/null | grep -qF "$BIN_DIR/homeport"; then kill -KILL "$child" 2>/dev/null || true; fi
        done
    fi
    [ -f "$WORK/daemon.log" ] && cp "$WORK/daemon.log" "$OUT/hostile-soak-$STAMP-daemon.log" 2>/dev/null || true
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A base port with P−1 … P+2 and R … R+2 free (R = P + 10).
port_busy() { ss -Htanu 2>/dev/null | awk '{print $5}' | grep -qE "[:.]$1\$"; }
BASE=""
for _ in $(seq 1 40); do
    candidate=$((RANDOM % 20000 + 31000))
    busy=0
    for port in $((candidate - 1)) "$candidate" $((candidate + 1)) $((candidate + 2)) $((candidate + 10)) $((candidate + 11)) $((candidate + 12)); do
        if port_busy "$port"; then busy=1; break; fi
    done
    if [ "$busy" = 0 ]; then BASE=$candidate; break; fi
done
[ -n "$BASE" ] || { echo "hostile-soak: no free port range found" >&2; exit 2; }
P=$BASE
R=$((BASE + 10))

cat >"$WORK/homeport.toml" <<EOF
# hostile-soak: only the built-in servers, nothing that reaches beyond loopback.
[daemon]
state_dir = "$WORK/state"
log_level = "notice"

[ip]
enabled = false

[router]
enabled = false
map_ports = false

[rendezvous]
enabled = true
port = $P

[relay]
enabled = true
port = $R
EOF

if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 4096 ]; then
    if ulimit -n 4096 2>/dev/null; then
        echo "note: raised the open-file limit (RLIMIT_NOFILE) to 4096 for the daemon and the load generator"
    fi
fi

echo "hostile soak: $CONFIG build, $(nproc) cores, $(uname -r), ${MINUTES} min, ports P=$P (P-1, P+2) R=$R (R+2), open-file limit $(ulimit -n)"
HOMEPORT_STATE_DIR="$WORK/state" "$BIN_DIR/homeport" run --config "$WORK/homeport.toml" --state-dir "$WORK/state" \
    >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!

# Ready when the key exists and the daemon answers status.
for _ in $(seq 1 300); do
    kill -0 "$DAEMON_PID" 2>/dev/null || { echo "hostile-soak: homeport run exited:" >&2; tail -20 "$WORK/daemon.log" >&2; exit 2; }
    if [ -s "$WORK/state/id_ed25519.pub" ] \
        && "$BIN_DIR/homeport" status --json --config "$WORK/homeport.toml" --state-dir "$WORK/state" >/dev/null 2>&1; then
        break
    fi
    sleep 0.2
done
[ -s "$WORK/state/id_ed25519.pub" ] || { echo "hostile-soak: no key after 60 s" >&2; tail -20 "$WORK/daemon.log" >&2; exit 2; }
KEY=$(tr -d '\n' <"$WORK/state/id_ed25519.pub")

set +e
"$BIN_DIR/HostileSoak" --daemon-pid "$DAEMON_PID" --rendezvous-port "$P" --relay-port "$R" --key "$KEY" \
    --minutes "$MINUTES" --csv "$CSV" ${PASS[@]+"${PASS[@]}"} &
BENCH_PID=$!
wait "$BENCH_PID"
RESULT=$?
BENCH_PID=""
set -e
echo "samples: $CSV; daemon log: $OUT/hostile-soak-$STAMP-daemon.log ($(grep -c . "$WORK/daemon.log" || true) lines)"
exit "$RESULT"
