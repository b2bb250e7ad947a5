#!/usr/bin/env bash
# Prepares the benchmark's peers: installs the Node.js peer's packages (bench/node, pinned by its package-lock.json)
# with `npm ci`. Idempotent: does nothing when node_modules is already at least as new as the lock.
# The raw Tyrus peer needs nothing beyond the Maven build (io.ratehub.examples.load.TyrusRawTarget).
set -euo pipefail

NODE_DIR="$(cd "$(dirname "$0")" && pwd)/node"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "bench/setup.sh: '$tool' not found on PATH; the Node.js peer needs Node.js 18+ and npm (https://nodejs.org)" >&2
    exit 1
  fi
done
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$NODE_MAJOR" -lt 18 ]; then
  echo "bench/setup.sh: Node.js $(node --version) is too old; the Node.js peer needs 18 or newer" >&2
  exit 1
fi

# npm writes node_modules/.package-lock.json on every install: it stands for "node_modules as installed".
MARKER="$NODE_DIR/node_modules/.package-lock.json"
if [ -f "$MARKER" ] && [ ! "$NODE_DIR/package-lock.json" -nt "$MARKER" ]; then
  exit 0
fi
npm ci --prefix "$NODE_DIR" --no-audit --no-fund
