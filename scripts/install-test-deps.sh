#!/usr/bin/env bash
# Installs the Debian packages the test suite uses as peers and tools (the real
# Open vSwitch 3.1, iperf3, tcpdump, ...). Idempotent: when everything is present
# it only runs one dpkg-query and exits. The Debian services are kept from
# starting, and any real OVS daemon the install started is stopped again, so
# the real OVS never runs outside a test.
set -euo pipefail

packages=(
    openvswitch-switch
    openvswitch-common
    python3-openvswitch
    openvswitch-testcontroller
    iperf3
    tcpdump
    ethtool
    iproute2
    iputils-ping
    man-db
)

# Prints the packages that are not fully installed, one per line.
missing_packages() {
    local status
    for p in "${packages[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        if [[ "$status" != "install ok installed" ]]; then
            echo "$p"
        fi
    done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-test-deps: dpkg-query not found; this script supports Debian/Ubuntu only" >&2
    exit 1
fi

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} == 0)); then
    exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
    echo "install-test-deps: missing packages: ${missing[*]}" >&2
    echo "install-test-deps: run this script as root to install them" >&2
    exit 1
fi

# Keep Debian's maintainer scripts from starting services: invoke-rc.d asks
# policy-rc.d, and 101 means "action not allowed". A policy that already
# forbids everything is left alone; any other one is restored afterwards.
policy=/usr/sbin/policy-rc.d
policy_backup=""
if [[ -e "$policy" ]] && ! cmp -s "$policy" <(printf '#!/bin/sh\nexit 101\n'); then
    policy_backup=$(mktemp /tmp/policy-rc.d.XXXXXX)
    cp -p "$policy" "$policy_backup"
fi
restore_policy() {
    if [[ -n "$policy_backup" ]]; then
        cp -p "$policy_backup" "$policy"
        rm -f "$policy_backup"
    fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' >"$policy"
chmod 755 "$policy"

echo "install-test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update </dev/null
apt-get install -y "${packages[@]}" </dev/null

# If something started a real daemon anyway (e.g. a postinst that bypasses
# invoke-rc.d), stop it: it would hold the default run directory and sockets.
# Only processes named by Debian's default pidfiles that really run the
# Debian binaries are touched, never oxvs daemons that share the pidfile names.
stop_debian_daemon() {
    local pidfile=$1 binary=$2 pid exe
    [[ -r "$pidfile" ]] || return 0
    pid=$(tr -dc '0-9' <"$pidfile")
    [[ -n "$pid" ]] || return 0
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
    [[ "${exe% (deleted)}" == "$binary" ]] || return 0
    echo "install-test-deps: stopping $binary (pid $pid) started by the package install" >&2
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        [[ -e "/proc/$pid" ]] || return 0
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
}
rundir=/var/run/openvswitch
stop_debian_daemon "$rundir/ovs-vswitchd.pid" /usr/sbin/ovs-vswitchd
stop_debian_daemon "$rundir/ovsdb-server.pid" /usr/sbin/ovsdb-server
stop_debian_daemon "$rundir/ovs-testcontroller.pid" /usr/bin/ovs-testcontroller

mapfile -t still_missing < <(missing_packages)
if ((${#still_missing[@]} != 0)); then
    echo "install-test-deps: still missing after install: ${still_missing[*]}" >&2
    exit 1
fi
