#!/bin/sh
# Boots systemd as PID 1 of new namespaces (pid, mount, cgroup, network with only loopback, …)
# inside ROOT, a Debian root with systemd installed (packaging/debian/fresh-root.sh makes one),
# so the package can be tried under a real systemd: `systemctl start homeport`, the unit's
# sandbox, reload and stop, without touching the machine's own init.
#   packaging/debian/boot-systemd.sh ROOT     runs until SIGTERM/SIGINT, then tears it all down
# Once systemd runs, ROOT.boot-pid holds its pid (as seen from here); enter with
#   nsenter -t "$(cat ROOT.boot-pid)" -a -r -w systemctl status homeport
#
# systemd needs / to be a mount point (or every Protect*=/Private*= setting fails with
# 226/NAMESPACE) and its own cgroup tree: a cgroup namespace rooted in a cgroup of its own,
# with the cgroup file systems mounted again inside it, so nothing is created in the host's
# hierarchy outside that one directory (removed at the end).
set -eu

if [ "${1:-}" = --inside ]; then
    root=$2
    mount --make-rprivate /
    mount --bind "$root" "$root"
    mount --rbind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount -t tmpfs -o mode=755 tmpfs "$root/sys/fs/cgroup"
    if [ -n "${BOOT_CGROUP_V1:-}" ]; then
        mkdir "$root/sys/fs/cgroup/systemd" "$root/sys/fs/cgroup/unified"
        mount -t cgroup -o none,name=systemd cgroup "$root/sys/fs/cgroup/systemd"
        mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup/unified" 2>/dev/null || rmdir "$root/sys/fs/cgroup/unified"
    else
        mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup"
    fi
    mount -t tmpfs -o mode=755 tmpfs "$root/run"
    mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
    ip link set lo up 2>/dev/null || true
    export container=other
    exec chroot "$root" /lib/systemd/systemd --system --log-target=null
fi

root=$(readlink -f "$1")
[ -x "$root/lib/systemd/systemd" ] || { echo "boot-systemd.sh: $root has no /lib/systemd/systemd" >&2; exit 2; }
name=homeport-boot-$$
groups=""
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    groups=/sys/fs/cgroup/$name
else
    export BOOT_CGROUP_V1=1
    groups="/sys/fs/cgroup/systemd/$name"
    [ -d /sys/fs/cgroup/unified ] && groups="$groups /sys/fs/cgroup/unified/$name"
fi
for group in $groups; do mkdir "$group"; done

# Only the namespace's side moves into the new cgroups (this shell must stay out to remove them).
# shellcheck disable=SC2016
sh -c 'for group in $2; do echo $$ > "$group/cgroup.procs"; done
       exec unshare --pid --fork --kill-child --mount --uts --ipc --net --cgroup "$0" --inside "$1"' "$0" "$root" "$groups" &
child=$!
init=""
# SIGKILL to PID 1 ends the whole PID namespace (systemd clears the parent-death signal
# unshare --kill-child sets, so it is sent here too).
trap '[ -n "$init" ] && kill -KILL "$init" 2>/dev/null; kill "$child" 2>/dev/null || true' TERM INT
# systemd is unshare's one child (PID 1 inside).
for _ in $(seq 1 100); do
    init=$(cat "/proc/$child/task/$child/children" 2>/dev/null | awk '{print $1}')
    [ -n "$init" ] && [ "$(readlink "/proc/$init/exe" 2>/dev/null)" = "$(readlink -f "$root/lib/systemd/systemd")" ] && break
    init=""
    sleep 0.1
done
[ -n "$init" ] && echo "$init" > "$root.boot-pid"
wait "$child" || true
wait "$child" 2>/dev/null || true
# The namespace's processes are gone with its PID 1; their cgroups can go once empty.
for _ in 1 2 3 4 5 6 7 8 9 10; do
    left=0
    for group in $groups; do
        find "$group" -depth -type d -exec rmdir {} \; 2>/dev/null || left=1
    done
    [ "$left" = 0 ] && break
    sleep 0.5
done
rm -f "$root.boot-pid"
