""".ci/run says clearly when it lacks root for the Debian packages it would install."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.paths import ROOT


def test_without_root_and_without_the_packages_it_says_what_to_run(tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("dirname",):
        found = shutil.which(tool)
        assert found
        (tools / tool).symlink_to(found)
    fake_id = tools / "id"
    fake_id.write_text("#!/bin/sh\necho 1000\n")  # an ordinary user
    fake_id.chmod(0o755)
    bash = shutil.which("bash")
    assert bash
    done = subprocess.run(
        [bash, str(ROOT / ".ci" / "run")],
        env={**os.environ, "PATH": str(tools)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "redis-server chromium missing, and installing them needs root" in done.stderr
    assert "sudo apt-get install -y --no-install-recommends redis-server chromium" in done.stderr
