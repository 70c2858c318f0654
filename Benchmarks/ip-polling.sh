#!/usr/bin/env bash
# How many requests the daemon sends to internet echo services, and how fast it records a
# change. Runs `homeport run` against two local echo servers (python3) for MINUTES minutes with
# [ip] interval = "30s" (the minimum), counts the requests each server saw, and prints the
# requests per poll and the rate at the default 5-minute interval. Then changes the echoed
# address and reports the time until `history ip` shows it (that path waits for the next poll,
# so it is bounded by the interval; a router announcement or a netlink event is ~1 s, see the lab test).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${MINUTES:-3}
swift build -c release --product homeport >/dev/null
BIN=.build/release/homeport
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
cat > "$WORK/echo.py" <<'PY'
import http.server, sys, threading
count = 0
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        global count
        if self.path == "/count":
            body = str(count).encode()
        else:
            with lock: count += 1
            body = open(sys.argv[2]).read().encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer((sys.argv[3], int(sys.argv[1])), H).serve_forever()
PY
echo "203.0.113.50" > "$WORK/address"
# Two addresses, so the daemon counts them as two independent services (sources are named by host).
python3 "$WORK/echo.py" 28191 "$WORK/address" 127.0.0.1 & python3 "$WORK/echo.py" 28192 "$WORK/address" 127.0.0.2 &
sleep 0.5
cat > "$WORK/homeport.toml" <<TOML
[daemon]
state_dir = "$WORK/state"
[ip]
interval = "30s"
http_ipv4 = ["http://127.0.0.1:28191/", "http://127.0.0.2:28192/"]
ipv6 = false
dns = false
[router]
enabled = false
[rendezvous]
enabled = false
[relay]
enabled = false
TOML
"$BIN" run --log-level debug --config "$WORK/homeport.toml" 2>"$WORK/log" &
until "$BIN" history ip --config "$WORK/homeport.toml" --json 2>/dev/null | grep -q 203.0.113.50; do sleep 0.2; done
sleep $((MINUTES * 60))
count() { python3 -c "import urllib.request;print(urllib.request.urlopen('http://$1/count').read().decode())"; }
total=$(( $(count 127.0.0.1:28191) + $(count 127.0.0.2:28192) ))
polls=$(( MINUTES * 60 / 30 + 1 ))
detections=$(grep -c 'public address detection' "$WORK/log" || true)
echo "echo requests in ${MINUTES} min at interval 30s: $total (about $polls polls)"
python3 -c "t=$total; p=$polls; print(f'requests per poll: {t/p:.2f}; at the default interval (5 min, 12 polls/h): {t/p*12:.1f} requests/hour for IPv4 (the same again for IPv6 when enabled)')"
echo "203.0.113.51" > "$WORK/address"
start=$(date +%s.%N)
until "$BIN" history ip --config "$WORK/homeport.toml" --json 2>/dev/null | grep -q 203.0.113.51; do sleep 0.2; done
end=$(date +%s.%N)
python3 -c "print(f'change seen by the echo services recorded after {($end-$start):.1f} s (waits for the next 30 s poll)')"
