#!/usr/bin/env bash
# Installs the Debian packages the test suite needs: real database servers (started by the tests themselves on
# throwaway data directories and free ports, never as system services), the reference tools of the benchmarks and
# Chromium for the end-to-end browser test.
set -euo pipefail

packages=(postgresql-15 postgresql-client-15 mariadb-server mariadb-client percona-toolkit chromium fonts-dejavu-core)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages: all present (${packages[*]})"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Package scripts may try to start the services; the tests start their own servers, so that failing is fine.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: done"
