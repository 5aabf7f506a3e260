#!/usr/bin/env bash
# Install the Debian packages graphmodel needs beyond Python: a CJK font for charts
# and maps, and Chromium for the Browser end-to-end test. Idempotent and quiet when
# everything is already there.
set -euo pipefail

packages=(fonts-noto-cjk chromium)
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "Installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
