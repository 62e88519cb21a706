"""compose.yaml and the Dockerfile, checked as far as a machine without a Docker engine can.

The compose file was also validated against the Compose specification's JSON schema by hand
(README, Scale-out); here: its commands are real `ganterp` commands, its settings are documented
ones, Redis keeps its data, and one image serves every service.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.cli import _parser

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return data


def test_every_service_runs_a_real_ganterp_command_with_documented_settings() -> None:
    documented = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line}
    services = compose()["services"]
    assert {"redis", "bot", "dispatch", "worker"} <= set(services)
    for name in ("bot", "dispatch", "worker"):
        service = services[name]
        assert service["build"] == "." and service["image"] == "ganterp:latest", "one image for all"
        args = _parser().parse_args(service["command"])
        assert args.handler.__name__ == f"_cmd_{service['command'][0]}"
        for setting in service.get("environment", {}):
            assert setting in documented, f"{name} sets {setting}, which .env.example does not document"
    assert services["worker"]["command"][1:] == ["--queue", "redis://redis:6379/0"]
    assert services["bot"]["environment"]["GANTERP_QUEUE_URL"] == "redis://redis:6379/0"
    assert services["worker"]["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    assert "bot-data:/data" not in services["worker"].get("volumes", []), "a worker never sees the job log"


def test_redis_keeps_its_data_and_the_dashboard_stays_on_loopback() -> None:
    services = compose()["services"]
    command = services["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    bot = services["bot"]
    assert "GANTERP_DASHBOARD_HOST" not in bot["environment"], "the dashboard binds loopback unless the operator says"
    assert all(str(port).startswith("127.0.0.1:") for port in bot.get("ports", [])), "never published beyond loopback"


def test_the_image_runs_ganterp() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r'^ENTRYPOINT \["/venv/bin/ganterp"\]$', dockerfile, re.MULTILINE)
    assert "COPY storage ./storage" in dockerfile, "the migrations travel with the image"
