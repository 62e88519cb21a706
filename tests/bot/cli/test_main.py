"""The entry point: a UserError is one sentence and exit 1, anything else a bug with a crash log; logging is undone."""

from __future__ import annotations

import ast
import importlib
import logging
from pathlib import Path

import pytest

import bot.cli.classes
from bot.cli.main import main
from pipeline.errors import UserError
from tests.bot.cli.conftest import Ganterp
from tests.paths import ROOT


def classes_defining_user_message() -> list[tuple[str, str]]:
    """(module, class) for every class under bot/, pipeline/ and storage/ that defines `user_message`."""
    found = []
    for package in ("bot", "pipeline", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            for node in ast.walk(ast.parse(path.read_text())):
                methods = (
                    {m.name for m in node.body if isinstance(m, ast.FunctionDef)}
                    if isinstance(node, ast.ClassDef)
                    else set()
                )
                if "user_message" in methods:
                    found.append((module, node.name))  # type: ignore[attr-defined]
    return found


def test_every_class_that_carries_a_sentence_for_a_person_is_a_user_error() -> None:
    found = classes_defining_user_message()
    # The scan works: it finds the base and the classes that compose their sentence themselves (most
    # now pass theirs to UserError's constructor and define no user_message of their own).
    assert ("pipeline.errors", "UserError") in found and len(found) > 2
    others = [
        f"{module}.{name}"
        for module, name in found
        if not issubclass(getattr(importlib.import_module(module), name), UserError)
    ]
    assert others == [], "a person's error found by duck typing: make it subclass pipeline.errors.UserError"


@pytest.fixture
def failing_classes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[BaseException]:
    """`ganterp classes` raises the error put in the returned list; the data folder is private."""
    raised: list[BaseException] = []

    def failing(*args: object) -> int:
        raise raised[0]

    monkeypatch.setattr(bot.cli.classes, "cmd_classes", failing)
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    return raised


def test_a_user_error_is_its_sentence_and_exit_1(failing_classes: list[BaseException], ganterp: Ganterp) -> None:
    class Refused(UserError):
        def user_message(self) -> str:
            return "that clip is too quiet to cut"

    failing_classes.append(Refused("an operator's detail"))
    code, out, err = ganterp("classes", "dog")
    assert (code, out, err) == (1, "", "ganterp: that clip is too quiet to cut.\n")


def test_an_error_that_only_looks_like_a_user_error_is_a_bug(
    failing_classes: list[BaseException], ganterp: Ganterp, tmp_path: Path
) -> None:
    class LooksLikeOne(Exception):  # no duck typing: only UserError is the person's doing
        def user_message(self) -> str:
            return "not shown"

    failing_classes.append(LooksLikeOne("a bug"))
    code, _, err = ganterp("classes", "dog")
    assert code == 3 and "not shown" not in err and "a bug, not your input" in err
    assert list((tmp_path / "data").rglob("*.log")), "the traceback went to a crash log"


def test_main_called_in_process_leaves_the_logging_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    for _ in range(2):
        assert main(["bot"]) == 1  # a long-running command: it configured logging at INFO
        assert root.handlers == handlers and root.level == level
    capsys.readouterr()
