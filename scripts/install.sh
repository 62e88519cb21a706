#!/usr/bin/env bash
# Set up ganterp in ./.venv on a fresh machine. Usage: bash scripts/install.sh [extras, e.g. dev]
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# torch first, the build that suits this machine (CPU wheels without an NVIDIA driver): the project's
# own `torch>=2.2` is then already met, and an unpinned torch would pull a CUDA build of several GB.
mapfile -t torch_args < <(bash scripts/torch-build.sh .venv/bin/python)
.venv/bin/python -m pip install --quiet "${torch_args[@]}"
.venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
.venv/bin/ganterp --help >/dev/null  # the command runs
build="$(.venv/bin/python -c 'import torch; print(torch.__version__, "with CUDA " + torch.version.cuda if torch.version.cuda else "(CPU only)")')"
echo "installed ganterp with torch $build in $PWD/.venv"
echo "next: source .venv/bin/activate && ganterp --help   (or run $PWD/.venv/bin/ganterp without activating)"
