#!/usr/bin/env bash
# Builds homeport_<version>_<arch>.deb with dpkg-deb (no debhelper needed):
#   /usr/bin/homeport                      the release binary (scripts/build-release.sh)
#   /lib/systemd/system/homeport.service   rendered by the binary itself (`service print`)
#   /etc/homeport/homeport.toml            `homeport config example`, a conffile
#   /usr/share/doc/homeport/               README.md and the provider format
# The maintainer scripts (postinst, prerm, postrm next to this file) create the `homeport`
# system user the service runs as, and enable and start the service where systemd runs.
#   packaging/debian/build-deb.sh [BINARY]     (default: build it)   → .build/deb/*.deb
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

binary=${1:-}
if [ -z "$binary" ]; then
  OUT=.build/homeport-release/homeport scripts/build-release.sh
  binary=.build/homeport-release/homeport
fi
binary=$(readlink -f "$binary")
version=$("$binary" version | awk '{print $2}')
arch=$(dpkg --print-architecture)
out_dir=${OUT_DIR:-$repo/.build/deb}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"

install -D -m 0755 "$binary" "$root/usr/bin/homeport"
install -d -m 0755 "$root/etc/homeport" "$root/lib/systemd/system" "$root/usr/share/doc/homeport" "$root/DEBIAN"
"$binary" config example > "$root/etc/homeport/homeport.toml"
chmod 0640 "$root/etc/homeport/homeport.toml"
# The unit as the binary renders it for the packaged paths. `--config` names the staged copy
# (so nothing on the build machine is read) and is then rewritten to the installed path.
"$binary" service print --kind systemd --binary /usr/bin/homeport --state-dir /var/lib/homeport \
    --config "$root/etc/homeport/homeport.toml" \
  | sed "s#$root/etc/homeport/homeport.toml#/etc/homeport/homeport.toml#g" > "$root/lib/systemd/system/homeport.service"
grep -q '^ExecStart=/usr/bin/homeport run --config /etc/homeport/homeport.toml --state-dir /var/lib/homeport$' "$root/lib/systemd/system/homeport.service"
install -m 0644 README.md "$root/usr/share/doc/homeport/README.md"
install -m 0644 providers/README.md "$root/usr/share/doc/homeport/providers.md"
for script in postinst prerm postrm; do install -m 0755 "$here/$script" "$root/DEBIAN/$script"; done
echo /etc/homeport/homeport.toml > "$root/DEBIAN/conffiles"

# Depends: the package of every shared library the binary still links (libc, libsqlite3,
# libsodium, …), at least the version installed here.
depends=()
for library in $(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  # Every reader below reads its input to the end: one that stops early (awk's `exit`, `head`)
  # can kill the writer with SIGPIPE, which `pipefail` turns into a failed build (seen in CI).
  path=$(ldconfig -p | awk -v lib="$library" '$1 == lib && /x86-64|aarch64|AArch64/ && !found {print $NF; found = 1}')
  [ -n "$path" ] || path=$(ldconfig -p | awk -v lib="$library" '$1 == lib && !found {print $NF; found = 1}')
  package=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | awk -F: 'NR == 1 {print $1}') \
    || package=$(dpkg -S "$path" | awk -F: 'NR == 1 {print $1}')
  installed=$(dpkg-query -W -f='${Version}' "$package")
  depends+=("$package (>= ${installed%%-*})")
done
depends_line=$(printf '%s\n' "${depends[@]}" | sort -u | paste -sd, | sed 's/,/, /g')

# passwd: useradd in postinst. procps: /bin/kill, which the unit's ExecReload= runs (a
# minimal Debian root has none, and `systemctl reload homeport` then failed).
cat > "$root/DEBIAN/control" <<CONTROL
Package: homeport
Version: $version
Architecture: $arch
Maintainer: homeport developers <homeport@localhost>
Installed-Size: $(du -sk "$root/usr" "$root/etc" "$root/lib" | awk '{s += $1} END {print s}')
Depends: $depends_line, passwd, procps
Section: net
Priority: optional
Description: home-server daemon: public IP, DDNS, RustDesk ID and relay server
 homeport supervises the services you want reachable from outside your home
 network, keeps an uptime history, finds the public address and whether
 carrier-grade NAT blocks inbound connections, maps router ports (UPnP IGD,
 NAT-PMP, PCP), updates dynamic DNS at 85 providers or over RFC 2136, and runs
 RustDesk-compatible rendezvous (hbbs) and relay (hbbr) servers.
CONTROL

mkdir -p "$out_dir"
deb="$out_dir/homeport_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "$deb"
