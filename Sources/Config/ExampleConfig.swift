/// The annotated file `homeport config example` prints. Every line that is not a comment is
/// the default or a working example, and a test checks that the file parses.
public enum ExampleConfig {
    public static let text = #"""
# homeport.toml: every setting is optional; this file shows the defaults.
# Check a file with: homeport config check --config homeport.toml

[daemon]
# state_dir = "/var/lib/homeport"   # history database, keys, control socket
log_level = "info"                  # trace, debug, info, notice, warning, error, critical
retention_days = 400                # history rows older than this are pruned
heartbeat_interval = "60s"          # how often the daemon records that the host is up
ddns_check_interval = "60s"         # how often [[ddns]] records are checked without an address change

[ip]
enabled = true
interval = "5m"                     # how often public echo services are asked (with jitter)
router_interval = "30s"             # how often the router is asked for its WAN address
ipv4 = true
ipv6 = true
dns = true                          # also ask DNS echoes (OpenDNS, Cloudflare)
# agreement = 2                     # sources that must agree (default 2, or 1 with one source)
# http_ipv4 = ["https://api.ipify.org", "https://ipv4.icanhazip.com"]   # replaces the built-in list
# http_ipv6 = ["https://api6.ipify.org"]
timeout = "3s"

[router]                            # UPnP IGD, NAT-PMP and PCP on the home router
enabled = true
map_ports = false                   # true: map the built-in servers' ports, renew, remove on exit
lease = "1h"
test_mapping_interval = "10m"       # how often a short test mapping checks that the router grants them (30s to 1d)
# gateway = "192.168.1.1"           # when the default route does not lead to the router

[check]                             # what `homeport check` asks outside this host
# STUN servers (port 3478 when left out) that show whether the NAT maps one local UDP port the
# same way for every destination; two or more at different addresses, [] skips that test
stun = ["stun.l.google.com:19302", "stun.cloudflare.com:3478"]
# An outside probe (`homeport probe serve` on a VPS or a friend's homeport) that tests every
# port from the internet; without one, `check` cannot verify the ports from outside
# probe = "https://vps.example.net:21120"
# probe_token_file = "/etc/homeport/probe.token"

[rendezvous]                        # built-in RustDesk ID server (hbbs-compatible)
enabled = true
port = 21116                        # also uses port-1 (NAT test) and port+2 (websocket)

[relay]                             # built-in RustDesk relay (hbbr-compatible)
enabled = true
port = 21117                        # also uses port+2 (websocket)

[probe]                             # outside probe for another home's `homeport check` (README: outside probe)
enabled = false
listen = "[::]:21120"               # ADDR:PORT, or a bare port
# token_file = "/etc/homeport/probe.token"   # requests must send this token; mode 0600
requests_per_minute = 6             # per client (an IPv4 address, an IPv6 /64)
max_concurrent = 16
port_timeout = "3s"

# Dynamic DNS: one block per provider account. Secrets may be written inline, or as
# "env:NAME" (an environment variable) or "file:/path" (first line of a file).
# [[ddns]]
# provider = "duckdns"
# hostnames = ["myhome.duckdns.org"]
# token = "env:DUCKDNS_TOKEN"
# ipv4 = true
# ipv6 = false

# Your own programs, kept running next to the built-in servers.
# [[service]]
# name = "files"
# command = ["/usr/bin/python3", "-m", "http.server", "8080"]   # or one string: "python3 -m http.server 8080"
# working_dir = "/srv/files"
# env = { PYTHONUNBUFFERED = "1" }
# restart = "always"                # always, on-failure, never
# health = "tcp:8080"               # or "none"; 3 failed checks in a row restart it
# health_interval = "10s"
# stop_timeout = "10s"              # SIGTERM, then SIGKILL after this long

"""#
}
