#!/usr/bin/env bash
# Set up ganterp in ./.venv on a fresh machine. Usage: bash scripts/install.sh [extras, e.g. dev]
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if ! command -v nvidia-smi >/dev/null 2>&1; then
  # No GPU: the CPU build of torch (small); an unpinned torch would pull a CUDA build of several GB.
  .venv/bin/python -m pip install --quiet torch==2.13.0
fi
.venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
echo "installed: $(.venv/bin/ganterp --help | head -n 1)"
