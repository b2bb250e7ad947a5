#!/usr/bin/env bash
# Installs what the test suite needs beyond a JDK and Maven: Debian's Chromium and ChromeDriver, for the web rate
# board's end-to-end test (examples/.../RateBoardBrowserIT). Idempotent: does nothing when both are present.
# Needs root (or sudo) and Debian's package archive.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
chromium --version
chromedriver --version
