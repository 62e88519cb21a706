"""`ganterp doctor`: is this machine ready? One line per check, ✓ or what to do; exit 1 on a problem.

The checks are a small registry (`CHECKS`, `check`): a feature that brings a model of its own adds
its check with `@check` in its own module, or as an `OptionalModel` below, and the command prints
it in turn. A check never changes anything: no download, no migration, no folder left behind.
"""

from __future__ import annotations

import argparse
import enum
import importlib
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import requests

from bot.settings import Settings

TIMEOUT_S = 10.0
MIN_FREE_BYTES = 2 * 2**30  # a few renders' clips and videos, and the 512 model's weights
DISCORD_API = "https://discord.com/api/v10"


class State(enum.Enum):
    """How a check came out."""

    OK = "✓"
    PROBLEM = "✗"
    SKIPPED = "–"  # not set up here, and not needed


@dataclass(frozen=True)
class Finding:
    """One check's outcome: what was checked and what was found, or what to do."""

    state: State
    subject: str
    detail: str

    def line(self) -> str:
        """The line `ganterp doctor` prints."""
        return f"{self.state.value} {self.subject}: {self.detail}"


def ok(subject: str, detail: str) -> Finding:
    """A check that passed."""
    return Finding(State.OK, subject, detail)


def problem(subject: str, detail: str) -> Finding:
    """A check that failed; `detail` says what to do."""
    return Finding(State.PROBLEM, subject, detail)


def skipped(subject: str, detail: str) -> Finding:
    """A check of something not set up here."""
    return Finding(State.SKIPPED, subject, detail)


Check = Callable[[Settings], Finding]
CHECKS: list[tuple[str, Check]] = []


def check(subject: str) -> Callable[[Check], Check]:
    """Register a check, printed under `subject`; an exception it raises becomes a ✗ line."""

    def register(function: Check) -> Check:
        CHECKS.append((subject, function))
        return function

    return register


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    """`ganterp doctor`: check this machine, one line per check; 1 if anything needs fixing."""
    return run_checks(settings, sys.stdout)


def run_checks(settings: Settings, out: TextIO) -> int:
    """Run every registered check, print one line each; 1 if any found a problem, else 0."""
    problems = 0
    for finding in findings(settings):
        problems += finding.state is State.PROBLEM
        print(_hide(finding.line(), settings), file=out, flush=True)
    print("all good" if not problems else f"{problems} to fix (the lines marked ✗)", file=out)
    return 1 if problems else 0


def findings(settings: Settings) -> Iterator[Finding]:
    """Each registered check's finding, in order; a check that raises is a problem, said in one line."""
    for subject, function in CHECKS:
        try:
            yield function(settings)
        except Exception as exc:  # a check must never stop the others
            yield problem(subject, f"the check itself failed: {_first_line(exc)}")


# ----------------------------------------------------------------------------- media and model


@check("ffmpeg")
def check_ffmpeg(settings: Settings) -> Finding:
    """The ffmpeg binary runs, has libx264, and whether NVENC encodes here."""
    from pipeline.media.encode import nvenc_works
    from pipeline.media.ffmpeg import ffmpeg_exe

    try:
        version = _run([ffmpeg_exe(), "-hide_banner", "-version"]).split("\n", 1)[0]
        encoders = _run([ffmpeg_exe(), "-hide_banner", "-encoders"])
    except (OSError, subprocess.SubprocessError) as exc:
        return problem(
            "ffmpeg", f"does not run ({_first_line(exc)}): reinstall imageio-ffmpeg or set IMAGEIO_FFMPEG_EXE"
        )
    if " libx264 " not in encoders:
        return problem("ffmpeg", f"{version} lacks libx264: set IMAGEIO_FFMPEG_EXE to an ffmpeg built with it")
    nvenc = "NVENC works" if nvenc_works() else "no NVENC (libx264 encodes)"
    return ok("ffmpeg", f"{version.removeprefix('ffmpeg version ').split(' ', 1)[0]}, libx264, {nvenc}")


@check("torch")
def check_torch(settings: Settings) -> Finding:
    """The torch build, the device a render uses and its precision."""
    from pipeline.biggan.device import describe_runtime
    from pipeline.errors import PipelineError

    try:
        runtime = describe_runtime(settings.device, settings.precision)
    except PipelineError as exc:
        return problem("torch", f"{exc} (GANTERP_DEVICE, GANTERP_PRECISION)")
    build = f"CUDA {runtime.cuda_version} build" if runtime.cuda_version else "CPU build"
    return ok(
        "torch", f"{runtime.torch_version} ({build}) on {runtime.device} ({runtime.device_name}), {runtime.precision}"
    )


@check("weights")
def check_weights(settings: Settings) -> Finding:
    """The weights a render would use are on disk and load."""
    from pipeline.biggan.device import pick_model
    from pipeline.biggan.loading import load_biggan
    from pipeline.biggan.weights import is_noise_weights, resolve_weights
    from pipeline.errors import PipelineError, WeightsUnavailable

    try:
        model = pick_model(settings.model, settings.device)
        folder = resolve_weights(
            model, weights_dir=settings.weights_dir, cache_dir=settings.cache_dir, allow_download=False
        )
        loaded = load_biggan(folder)
    except WeightsUnavailable as exc:
        return problem(
            "weights",
            f"none for {exc.model} in {exc.folder}: run `ganterp download-weights`, or set "
            "GANTERP_WEIGHTS_DIR (a copied folder) or GANTERP_WEIGHTS_URLS (a mirror); to try ganterp "
            "offline: `ganterp noise-weights DIR` and GANTERP_WEIGHTS_DIR=DIR",
        )
    except PipelineError as exc:
        return problem("weights", str(exc))
    size = f"{sum(p.numel() for p in loaded.parameters()) / 1e6:.1f}M parameters, {loaded.config.output_dim} px"
    if is_noise_weights(folder):
        return ok("weights", f"random weights in {folder} ({size}): the pictures are noise")
    return ok("weights", f"{model} in {folder} ({size})")


# ----------------------------------------------------------------------------- the machine's state


@check("data folder")
def check_data_folder(settings: Settings) -> Finding:
    """The data folder (or the nearest folder above it) can be written, with room for renders."""
    folder = settings.data_dir
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".ganterp-doctor-"):
            pass
    except OSError as exc:
        return problem("data folder", f"cannot write in {existing} ({exc.strerror}): set GANTERP_DATA_DIR elsewhere")
    free = shutil.disk_usage(existing).free
    room = f"{free / 2**30:.1f} GiB free"
    if free < MIN_FREE_BYTES:
        return problem("data folder", f"{folder}: only {room}, at least {MIN_FREE_BYTES >> 30} GiB wanted")
    made = "" if folder.exists() else " (made at first use)"
    return ok("data folder", f"{folder}{made}, writable, {room}")


@check("database")
def check_database(settings: Settings) -> Finding:
    """The job log's database answers, and at which migration."""
    from bot.service import database_url
    from pipeline.links.urls import redacted
    from storage.db import make_engine
    from storage.schema import schema_level

    url = database_url(settings)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return ok("database", "SQLite in the data folder, made and migrated at first use")
    engine = make_engine(url)
    try:
        level = schema_level(engine)
    except Exception as exc:
        return problem("database", f"{redacted(url)} does not answer ({_first_line(exc)}): check GANTERP_DATABASE_URL")
    finally:
        engine.dispose()
    if not level.known:
        return problem(
            "database", f"at migration {level.current}, newer than this ganterp's {level.newest}: upgrade it"
        )
    if level.current != level.newest:
        return ok("database", f"at migration {level.current}; upgraded to {level.newest} when ganterp next starts")
    return ok("database", f"at the newest migration ({level.newest})")


# ----------------------------------------------------------------------------- services, when set


@check("Redis")
def check_redis(settings: Settings) -> Finding:
    """The job engine's Redis answers, when GANTERP_QUEUE_URL is set."""
    if not settings.queue_url:
        return skipped("Redis", "GANTERP_QUEUE_URL is not set (jobs stay on this machine)")
    from bot.jobs.engine.probe import redis_answers
    from pipeline.links.urls import redacted

    try:
        version = redis_answers(settings.queue_url)
    except Exception as exc:
        return problem("Redis", f"{redacted(settings.queue_url)} does not answer ({_first_line(exc)})")
    return ok("Redis", f"{redacted(settings.queue_url)} answers (Redis {version})")


@check("bucket")
def check_bucket(settings: Settings) -> Finding:
    """The S3 bucket answers, when GANTERP_QUEUE_BUCKET is set."""
    if not settings.queue_bucket:
        return skipped("bucket", "GANTERP_QUEUE_BUCKET is not set (files travel through Redis)")
    if importlib.util.find_spec("boto3") is None:
        return problem("bucket", "GANTERP_QUEUE_BUCKET is set but boto3 is not installed: pip install 'ganterp[s3]'")
    from bot.jobs.engine.probe import bucket_answers

    try:
        bucket_answers(settings.queue_bucket, settings.s3_endpoint_url)
    except Exception as exc:
        return problem(
            "bucket",
            f"{settings.queue_bucket} cannot be reached ({_first_line(exc)}): check "
            "GANTERP_S3_ENDPOINT_URL and the AWS credentials",
        )
    return ok("bucket", f"{settings.queue_bucket} answers")


@check("Discord")
def check_discord(settings: Settings, api: str = DISCORD_API) -> Finding:
    """Discord accepts DISCORD_TOKEN (one request: the bot's own user)."""
    if not settings.discord_token:
        return skipped("Discord", "DISCORD_TOKEN is not set (no Discord bot)")
    try:
        answer = requests.get(
            f"{api}/users/@me", headers={"Authorization": f"Bot {settings.discord_token}"}, timeout=TIMEOUT_S
        )
    except requests.RequestException as exc:
        return problem("Discord", f"cannot reach Discord ({_first_line(exc)})")
    if answer.status_code == 401:
        return problem("Discord", "Discord refused DISCORD_TOKEN: reset it in the Developer Portal (Bot, Reset Token)")
    if not answer.ok:
        return problem("Discord", f"Discord answered {answer.status_code}; try again later")
    return ok("Discord", f"DISCORD_TOKEN accepted: the bot is {_json_field(answer, 'username')}")


@check("X")
def check_x(settings: Settings) -> Finding:
    """X accepts the OAuth 1.0a credentials (one request: the account's own user), when they are set."""
    from bot.x.bot import x_configured
    from bot.x.media import OAuth1Credentials

    if not x_configured(settings):
        return skipped("X", "the five GANTERP_X_* credentials are not all set (no X bot)")
    assert settings.x_consumer_key and settings.x_consumer_secret  # x_configured: all five are set
    assert settings.x_access_token and settings.x_access_token_secret
    credentials = OAuth1Credentials(
        settings.x_consumer_key, settings.x_consumer_secret, settings.x_access_token, settings.x_access_token_secret
    )
    try:
        answer = requests.get(f"{settings.x_api_host}/2/users/me", auth=credentials.auth(), timeout=TIMEOUT_S)
    except requests.RequestException as exc:
        return problem("X", f"cannot reach {settings.x_api_host} ({_first_line(exc)})")
    if answer.status_code in (401, 403):
        return problem(
            "X",
            f"X refused the credentials ({answer.status_code}): regenerate the keys and tokens "
            "in the developer console, with read and write permission",
        )
    if not answer.ok:
        return problem("X", f"X answered {answer.status_code}; try again later")
    data = (
        answer.json().get("data", {}) if answer.headers.get("content-type", "").startswith("application/json") else {}
    )
    return ok("X", f"credentials accepted: the bot is @{data.get('username', '?')}")


# ----------------------------------------------------------------------------- language models


@check("word model")
def check_word_model(settings: Settings) -> Finding:
    """The sentence-embedding model that reads words by meaning loads (GANTERP_WORDS_MODEL, which the CLI
    configured at start)."""
    from pipeline.words.model import load_encoder, model_source

    source = model_source()
    if source is None:
        return skipped("word model", "off (or sentence-transformers missing): words are read by WordNet alone")
    try:
        load_encoder(source)
    except Exception as exc:
        return problem("word model", f"{source.name} does not load ({_first_line(exc)}); see GANTERP_WORDS_MODEL")
    return ok("word model", f"{source.name} loads")


@check("lyrics model")
def check_lyrics_model(settings: Settings) -> Finding:
    """The speech model --lyrics uses is on disk and whole (GANTERP_LYRICS_MODEL); never downloads."""
    from pipeline.words.heard import ModelChoice, model_folder

    choice = ModelChoice(settings.lyrics_model, settings.cache_dir, allow_download=False)
    try:
        folder = model_folder(choice, download=_no_download)
    except Exception as exc:
        return problem("lyrics model", f"{settings.lyrics_model}: {_first_line(exc)}; see GANTERP_LYRICS_MODEL")
    return ok("lyrics model", f"{settings.lyrics_model} is ready ({folder.name})")


@check("beat network")
def check_beat_network(settings: Settings) -> Finding:
    """The music style's beat and bar-line network ships with the package; without it beats fall back to the pulse."""
    from pipeline.music.beat_network import WEIGHTS, read_weights

    if not WEIGHTS.is_file():
        return problem("beat network", "its weights are missing from the install: reinstall ganterp")
    try:
        network = read_weights(WEIGHTS)
    except Exception as exc:
        return problem("beat network", f"its weights do not load ({_first_line(exc)}): reinstall ganterp")
    return ok("beat network", f"{len(network.blocks)} blocks load (beats and bar lines of the music style)")


def _no_download(name: str, folder: Path) -> None:
    raise RuntimeError(f"{name} is not downloaded yet; the first --lyrics job fetches it")


# ----------------------------------------------------------------------------- helpers


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def _run(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=True).stdout


def _json_field(answer: requests.Response, name: str) -> str:
    try:
        return str(answer.json().get(name, "?"))
    except ValueError:
        return "?"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _hide(line: str, settings: Settings) -> str:
    for secret in settings.secret_values():
        line = line.replace(secret, "***")
    return line
