#!/usr/bin/env bash
# Makes sure the tools Vigil's build and tests need are installed.
#
#   source scripts/lib/ensure-deps.sh && vigil_ensure_deps   # from other scripts
#   scripts/lib/ensure-deps.sh                                # standalone
#
# Needs: swift (not installable here: see swift.org), and from Debian packages: mariadbd and
# mariadb-install-db (mariadb-server), mariadb (mariadb-client), mariadb-backup, redis-server,
# openssl, libmariadb-dev (/usr/include/mariadb/mysql.h), git and ca-certificates (SwiftPM
# fetches dependencies with git over https), python3-venv (the manifest validator's venv),
# chromium (the dashboard test renders the page).
#
# As root, installs whatever is missing with apt-get (non-interactive; the packages' system
# services are kept from starting: the tests start their own servers on random ports). Not as
# root, prints the exact command to run with sudo and fails.
#
# Set VIGIL_APT_UPDATED=1 when `apt-get update` has just run, to skip running it again.

# Prints the Debian packages providing missing tools, one per line.
vigil_missing_packages() {
    local -a missing=()
    _vigil_have() {
        local name
        for name in "$@"; do
            command -v "$name" >/dev/null 2>&1 && return 0
            [[ -x "/usr/sbin/$name" || -x "/usr/bin/$name" ]] && return 0
        done
        return 1
    }
    _vigil_have mariadbd || missing+=(mariadb-server)
    _vigil_have mariadb-install-db || missing+=(mariadb-server)
    _vigil_have mariadb || missing+=(mariadb-client)
    _vigil_have mariadb-backup mariabackup || missing+=(mariadb-backup)
    _vigil_have redis-server || missing+=(redis-server)
    _vigil_have openssl || missing+=(openssl)
    [[ -f /usr/include/mariadb/mysql.h ]] || missing+=(libmariadb-dev)
    _vigil_have git || missing+=(git)
    _vigil_have python3 || missing+=(python3)  # scripts/demo reads JSON with it
    _vigil_have curl || missing+=(curl)        # end-to-end tests call the agents' endpoints with it
    # scripts/check-manifests installs the Kubernetes schema validator from PyPI into a venv.
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    _vigil_have chromium || missing+=(chromium) # the dashboard's end-to-end test renders it headless
    [[ -f /etc/ssl/certs/ca-certificates.crt ]] || missing+=(ca-certificates)
    unset -f _vigil_have
    if ((${#missing[@]})); then
        printf '%s\n' "${missing[@]}" | awk '!seen[$0]++'
    fi
}

vigil_ensure_deps() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "error: swift not found on PATH. Install a Swift 6 toolchain (https://www.swift.org/install/linux/)" >&2
        echo "       and make sure its usr/bin directory is on PATH." >&2
        exit 1
    fi

    local -a packages
    mapfile -t packages < <(vigil_missing_packages)
    if ((${#packages[@]} == 0)); then
        return 0
    fi

    if [[ "$(id -u)" -ne 0 ]]; then
        echo "error: missing packages: ${packages[*]}" >&2
        echo "Install them with:" >&2
        echo "    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages[*]}" >&2
        exit 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: missing ${packages[*]} and apt-get is not available; install them with your package manager." >&2
        exit 1
    fi

    echo "ensure-deps: installing ${packages[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    local -a apt=(apt-get -q -y -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

    # Keep the packages' postinst scripts from starting system mariadb/redis services (we never
    # use them; in containers without an init system starting them may fail). An existing
    # policy-rc.d is left alone.
    local policy=/usr/sbin/policy-rc.d added_policy=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\n# added by vigil scripts/lib/ensure-deps.sh while installing\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        added_policy=1
    fi

    local status=0
    {
        if [[ "${VIGIL_APT_UPDATED:-0}" != 1 ]]; then
            "${apt[@]}" update
        fi
        "${apt[@]}" install --no-install-recommends "${packages[@]}"
    } </dev/null || status=$?

    if ((added_policy)); then
        rm -f "$policy"
    fi
    if ((status != 0)); then
        echo "error: apt-get failed (exit $status) installing ${packages[*]}" >&2
        exit "$status"
    fi

    mapfile -t packages < <(vigil_missing_packages)
    if ((${#packages[@]})); then
        echo "error: still missing after installing: ${packages[*]}" >&2
        exit 1
    fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    vigil_ensure_deps
    echo "ensure-deps: all dependencies present"
fi
