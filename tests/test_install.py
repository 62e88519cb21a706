"""scripts/torch-build.sh: which torch build scripts/install.sh installs on this machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.conftest import free_port
from tests.paths import ROOT


def torch_build(tmp_path: Path, *, nvidia_smi_exit: int | None, cpu_index: str) -> tuple[list[str], str]:
    """Run the script with a fake nvidia-smi (None: absent) and the given CPU index; (pip args, its line)."""
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    if nvidia_smi_exit is not None:
        fake = tools / "nvidia-smi"
        fake.write_text(f"#!/bin/sh\nexit {nvidia_smi_exit}\n")
        fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}", "GANTERP_TORCH_CPU_INDEX": cpu_index}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "torch-build.sh"), sys.executable],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.split(), done.stderr.strip()


def test_without_a_driver_torch_comes_from_the_cpu_index(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/whl/cpu/torch/").respond_with_data("<a>torch-2.13.0+cpu.whl</a>")
    index = httpserver.url_for("/whl/cpu")
    args, line = torch_build(tmp_path, nvidia_smi_exit=None, cpu_index=index)
    assert args == ["torch==2.13.0", "--index-url", index]
    assert "CPU build" in line and index in line


def test_tools_without_a_loaded_driver_count_as_no_driver(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/cpu/torch/").respond_with_data("ok")
    args, _ = torch_build(tmp_path, nvidia_smi_exit=9, cpu_index=httpserver.url_for("/cpu"))
    assert "--index-url" in args


def test_an_unreachable_cpu_index_falls_back_to_the_plain_pin_and_says_so(tmp_path: Path) -> None:
    args, line = torch_build(tmp_path, nvidia_smi_exit=None, cpu_index=f"http://127.0.0.1:{free_port()}/cpu")
    assert args == ["torch==2.13.0"]
    assert "unreachable" in line and "CUDA build" in line


def test_a_driver_gets_the_cuda_build(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/cpu/torch/").respond_with_data("ok")
    args, line = torch_build(tmp_path, nvidia_smi_exit=0, cpu_index=httpserver.url_for("/cpu"))
    assert args == ["torch==2.13.0"]  # PyPI's torch on Linux is the CUDA build
    assert "NVIDIA driver found" in line and "CUDA" in line


FAKE_PYTHON = """#!/bin/sh
# python3 -m venv DIR makes DIR/bin/python (this script again) and DIR/bin/ganterp; pip does nothing here.
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
  printf '#!/bin/sh\\necho "usage: ganterp [-h] COMMAND ..."\\n' > "$3/bin/ganterp"
  chmod +x "$3/bin/ganterp"; exit 0
fi
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "$@" >> "$(dirname "$0")/pip.log"; exit 0; fi
if [ "$1" = "-c" ]; then echo "2.13.0+cpu (CPU only)"; exit 0; fi
exit 1  # the CPU index probe: unreachable
"""


def test_install_ends_saying_which_torch_and_how_to_run_ganterp(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    for script in ("install.sh", "torch-build.sh"):
        (project / "scripts" / script).write_text((ROOT / "scripts" / script).read_text())
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "python3").write_text(FAKE_PYTHON)
    (tools / "python3").chmod(0o755)
    env = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}", "GANTERP_TORCH_CPU_INDEX": "http://127.0.0.1:9/x"}
    done = subprocess.run(
        ["bash", str(project / "scripts" / "install.sh"), "dev"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    lines = done.stdout.strip().splitlines()
    assert lines[-2] == f"installed ganterp with torch 2.13.0+cpu (CPU only) in {project}/.venv"
    assert lines[-1].startswith("next: source .venv/bin/activate && ganterp --help")
    assert "usage:" not in done.stdout
    assert "unreachable" in done.stderr
    pip_calls = (project / ".venv" / "bin" / "pip.log").read_text().splitlines()
    assert any(call.endswith("install --quiet torch==2.13.0") for call in pip_calls), pip_calls
    assert any(call.endswith("install --quiet -e .[dev]") for call in pip_calls), pip_calls
