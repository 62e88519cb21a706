"""What the command line prints for small cases a newcomer meets first: one segment, no jobs, the seed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.arguments import build_parser
from bot.cli.main import main
from bot.cli.wording import counted
from tests.conftest import ClipMaker


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_counted_nouns_agree_with_their_number() -> None:
    assert [counted(n, "segment") for n in (0, 1, 2)] == ["0 segments", "1 segment", "2 segments"]
    assert counted(1, "class", "classes") == "1 class" and counted(3, "class", "classes") == "3 classes"


def test_one_segment_is_one_segment(make_clip: ClipMaker, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "analyze", str(make_clip(2.0)), "--segments", "1", "--seed", "4")
    assert code == 0, err
    assert out.startswith("1 segment, seed 4"), out


def test_a_drawn_seed_says_how_to_get_the_same_classes_again(
    make_clip: ClipMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    clip = str(make_clip(3.0))
    code, out, _ = run(capsys, "analyze", clip, "--classes", "dog, cat")
    assert code == 0
    seed = re.search(r"seed (\d+),", out)
    assert seed is not None and f"add --seed {seed[1]} to get these classes again" in out
    classes = re.findall(r"s\s+(\d+) ", out)
    code, again, _ = run(capsys, "analyze", clip, "--classes", "dog, cat", "--seed", seed[1])
    assert code == 0 and re.findall(r"s\s+(\d+) ", again) == classes, "the printed seed repeats the classes"
    assert "drawn at random" not in again, "a seed that was given is not called random"


@pytest.mark.parametrize("seed", ["0", "5", "1234"])
def test_classes_says_the_seed_picks_the_kind_and_matches_analyze_with_that_seed(
    seed: str, make_clip: ClipMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "classes", "dog", "--seed", seed)
    assert code == 0 and len(out.splitlines()) == 1, "stdout stays one line per word"
    assert f"seed {seed} picked one" in err and f"unless given --seed {seed}" in err
    shown = re.search(r"→\s+(\d+) ", out)
    assert shown is not None
    clip = str(make_clip(2.0))
    code, analyzed, _ = run(capsys, "analyze", clip, "--classes", "dog", "--segments", "1", "--seed", seed)
    assert code == 0 and re.search(rf"0\.00 s\s+{shown[1]} ", analyzed), (out, analyzed)


def test_classes_of_words_with_one_kind_need_no_seed_note(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "classes", "jellyfish, 207")
    assert code == 0 and "seed" not in out + err


def test_stats_without_jobs_is_a_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    code, out, _ = run(capsys, "stats")
    assert code == 0 and out.strip() == "no jobs yet"


def test_stats_counts_one_job_as_one_job(
    make_clip: ClipMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    assert main(["submit", str(make_clip(1.0)), "--requester", "ann"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "stats")
    assert code == 0
    assert out.splitlines()[0] == "1 job: 1 queued" and "cli: 1 job," in out


@pytest.mark.parametrize("command", ["render", "analyze", "preview"])
def test_help_says_the_source_may_be_a_link(command: str) -> None:
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    source = next(a for a in subparsers.choices[command]._actions if a.dest == "source")
    assert "link" in (source.help or "")
