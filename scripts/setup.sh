#!/usr/bin/env bash
# Install what the studio needs into the current Python (a venv if you have one active).
#   bash scripts/setup.sh          runtime only
#   bash scripts/setup.sh --dev    plus test tools and Debian's chromium for the browser test
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [[ "${1:-}" == "--dev" ]]; then
  "$PYTHON" -m pip install -q -r requirements-dev.txt
  if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
else
  "$PYTHON" -m pip install -q -r requirements.txt
fi
echo "setup done: $("$PYTHON" -c 'import torch, gradio; print("torch", torch.__version__, "gradio", gradio.__version__)')"
