#!/usr/bin/env bash
# Debian packages the project needs: FRR (its vtysh checks rendered configurations; the digital
# twin runs it), OpenSSH's server (the twin's management access), ping and traceroute (reachability
# checks, the routers' own probes), lldpd and chrony (the routers' hosts: LLDP and NTP);
# for the local NetBox: PostgreSQL 15, Redis, libpq headers and a C compiler (psycopg[c] builds
# against them); for the diagrams: Graphviz and a Japanese font; for the pages' tests: Chromium and
# its WebDriver (the tests drive the reports and the topology page as people open them).
# Installs only what is missing, so repeated runs are quick.
set -euo pipefail
packages=(frr frr-pythontools openssh-server iputils-ping traceroute lldpd chrony
          postgresql-15 redis-server libpq-dev gcc graphviz fonts-ipafont-gothic chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
