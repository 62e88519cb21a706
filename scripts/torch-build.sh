#!/usr/bin/env bash
# Which torch build this machine should get, for scripts/install.sh.
# Prints pip's arguments on stdout (one a line) and one line saying which build, and why, on stderr.
#   NVIDIA driver present  → the pinned torch from PyPI, which on Linux is the CUDA build (several GB);
#   no driver              → PyTorch's CPU-only wheel index (a few hundred MB);
#   that index unreachable → the plain pin, as pip finds it (from PyPI on Linux that is the CUDA build).
# GANTERP_TORCH_CPU_INDEX points at a mirror of PyTorch's CPU index (default: PyTorch's own).
set -euo pipefail
python="${1:-python3}"
version="${GANTERP_TORCH_VERSION:-2.13.0}"
cpu_index="${GANTERP_TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}"

has_nvidia_driver() {
  # The driver, not just its tools: nvidia-smi must see it (it fails when the kernel module is absent).
  [ -r /proc/driver/nvidia/version ] || { command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; }
}

index_reachable() {
  # One short request (5 s): pip itself would retry an unreachable index for minutes.
  "$python" - "$1/torch/" <<'PY' >/dev/null 2>&1
import sys
import urllib.request

urllib.request.urlopen(sys.argv[1], timeout=5).close()  # noqa: S310
PY
}

if has_nvidia_driver; then
  echo "torch: NVIDIA driver found: torch==$version with CUDA, from the default index" >&2
  echo "torch==$version"
elif index_reachable "$cpu_index"; then
  echo "torch: no NVIDIA driver: torch==$version CPU build, from $cpu_index" >&2
  printf '%s\n' "torch==$version" --index-url "$cpu_index"
else
  echo "torch: no NVIDIA driver, and $cpu_index is unreachable: torch==$version as pip finds it" \
    "(from PyPI on Linux that is the CUDA build, several GB)" >&2
  echo "torch==$version"
fi
