#!/usr/bin/env bash
# Builds the release binary (scripts/build-release.sh) and installs it with `homeport install`:
# /usr/local/bin/homeport as root, ~/.local/bin/homeport otherwise (or --prefix DIR).
# Run it again to upgrade; a running daemon keeps the old file until it is restarted.
#   scripts/install.sh [--prefix DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=.build/homeport-release/homeport scripts/build-release.sh
exec .build/homeport-release/homeport install "$@"
