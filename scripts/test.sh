#!/usr/bin/env bash
# Set up a fresh machine for the tests and run them all: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
PYTHON=${PYTHON:-python3}
exec "$PYTHON" -m pytest -q "$@" tests
