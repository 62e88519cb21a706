"""`ganterp doctor`: one line per check, ✓ or what to do, exit 1 on a problem; services probed once each."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from bot.cli import doctor
from bot.cli.doctor import State
from bot.cli.main import main
from bot.settings import Settings
from tests.conftest import RedisServer, free_port


def settings_with(tmp_path: Path, **env: str) -> Settings:
    base = {"GANTERP_DATA_DIR": str(tmp_path / "data"), "GANTERP_CACHE_DIR": str(tmp_path / "cache")}
    return Settings.load(base | env, env_file=None)


def test_a_ready_machine_is_all_green_with_one_line_per_check(
    tiny_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GANTERP_WEIGHTS_DIR", str(tiny_weights))
    assert main(["doctor"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(doctor.CHECKS) + 1 and lines[-1] == "all good"
    by_subject = {line.split(":")[0][2:]: line for line in lines[:-1]}
    assert by_subject["ffmpeg"].startswith("✓") and "libx264" in by_subject["ffmpeg"]
    assert "NVENC" in by_subject["ffmpeg"]
    assert by_subject["torch"].startswith("✓ torch: 2.") and " on cpu" in by_subject["torch"]
    assert by_subject["weights"].startswith("✓") and "32 px" in by_subject["weights"]
    assert by_subject["Redis"].startswith("–") and by_subject["Discord"].startswith("–")
    assert by_subject["beat network"].startswith("✓ beat network: 8 blocks load")


def test_missing_weights_are_a_problem_that_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GANTERP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GANTERP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GANTERP_WEIGHTS_URLS", "http://127.0.0.1:9/{model}/{file}")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    weights = next(line for line in out.splitlines() if line.startswith("✗ weights"))
    assert "ganterp download-weights" in weights and "noise-weights" in weights
    assert out.splitlines()[-1] == "1 to fix (the lines marked ✗)"
    assert not (tmp_path / "cache" / "weights" / "biggan-deep-128").exists(), "the doctor downloads nothing"


def test_noise_weights_pass_but_say_they_are_noise(tmp_path: Path) -> None:
    from pipeline.biggan.noise import write_noise_weights

    folder = write_noise_weights(tmp_path / "noise")
    finding = doctor.check_weights(settings_with(tmp_path, GANTERP_WEIGHTS_DIR=str(folder)))
    assert finding.state is State.OK and "noise" in finding.detail


def test_a_database_at_the_newest_migration_and_one_from_a_newer_ganterp(tmp_path: Path) -> None:
    import sqlalchemy

    from bot.service import database_url, open_store

    settings = settings_with(tmp_path)
    assert doctor.check_database(settings).detail.endswith("made and migrated at first use")
    open_store(settings)
    fresh = doctor.check_database(settings)
    assert fresh.state is State.OK and "at the newest migration" in fresh.detail
    engine = sqlalchemy.create_engine(database_url(settings))
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    future = doctor.check_database(settings)
    assert future.state is State.PROBLEM and "9999_future" in future.detail and "upgrade" in future.detail


def test_a_data_folder_that_cannot_be_written_is_a_problem(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    finding = doctor.check_data_folder(settings_with(tmp_path, GANTERP_DATA_DIR=str(blocked / "data")))
    assert finding.state is State.PROBLEM and "GANTERP_DATA_DIR" in finding.detail


def test_redis_answering_and_not(tmp_path: Path, redis_server: RedisServer) -> None:
    up = doctor.check_redis(settings_with(tmp_path, GANTERP_QUEUE_URL=redis_server.url))
    assert up.state is State.OK and "answers (Redis " in up.detail
    down_url = f"redis://:s3cret-pass@127.0.0.1:{free_port()}/0"
    settings = settings_with(tmp_path, GANTERP_QUEUE_URL=down_url)
    down = doctor.check_redis(settings)
    assert down.state is State.PROBLEM and "does not answer" in down.detail
    assert "s3cret-pass" not in down.line()


def test_discord_token_accepted_and_refused(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/users/@me", headers={"Authorization": "Bot good-token"}).respond_with_json(
        {"id": "1", "username": "ganterp-test"}
    )
    httpserver.expect_request("/api/users/@me").respond_with_json({"message": "401: Unauthorized"}, status=401)
    api = httpserver.url_for("/api")
    good = doctor.check_discord(settings_with(tmp_path, DISCORD_TOKEN="good-token"), api=api)
    assert good.state is State.OK and "ganterp-test" in good.detail
    bad = doctor.check_discord(settings_with(tmp_path, DISCORD_TOKEN="bad-token"), api=api)
    assert bad.state is State.PROBLEM and "Reset Token" in bad.detail and "bad-token" not in bad.line()
    assert len(httpserver.log) == 2, "one request each"


X_KEYS = ("CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET", "BEARER_TOKEN")


@pytest.mark.parametrize(("status", "state"), [(200, State.OK), (401, State.PROBLEM)])
def test_x_credentials_are_checked_with_one_signed_request(
    status: int, state: State, tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/2/users/me").respond_with_json({"data": {"username": "ganterpbot"}}, status=status)
    x = {f"GANTERP_X_{key}": f"value-{key.lower()}" for key in X_KEYS}
    finding = doctor.check_x(settings_with(tmp_path, GANTERP_X_API_HOST=httpserver.url_for(""), **x))
    assert finding.state is state
    assert len(httpserver.log) == 1
    request = httpserver.log[0][0]
    assert (
        request.headers["Authorization"].startswith("OAuth ") and "oauth_signature" in request.headers["Authorization"]
    )
    if state is State.OK:
        assert "@ganterpbot" in finding.detail


def test_a_check_that_breaks_is_one_problem_line_and_the_others_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(settings: Settings) -> doctor.Finding:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(doctor, "CHECKS", [("first", broken), ("second", lambda s: doctor.ok("second", "fine"))])
    found = list(doctor.findings(settings_with(tmp_path)))
    assert [f.state for f in found] == [State.PROBLEM, State.OK]
    assert found[0].line() == "✗ first: the check itself failed: boom"


def test_the_word_and_lyrics_models_are_loaded_through_their_own_loaders(tmp_path: Path) -> None:
    bundled = settings_with(tmp_path)
    assert doctor.check_word_model(bundled).state is State.OK
    assert doctor.check_lyrics_model(bundled).state is State.OK
    missing = settings_with(tmp_path, GANTERP_LYRICS_MODEL="small.en")
    assert doctor.check_lyrics_model(missing).state is State.PROBLEM, "a named model not yet fetched is never fetched"


def test_the_bucket_answering_and_a_missing_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.bot.jobs.engine.test_bucket import BUCKET, CREDENTIALS, S3Server

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    server = S3Server()
    server.start()
    try:
        there = settings_with(
            tmp_path, GANTERP_QUEUE_BUCKET=f"s3://{BUCKET}/x", GANTERP_S3_ENDPOINT_URL=server.endpoint
        )
        assert doctor.check_bucket(there).state is State.OK
        absent = settings_with(
            tmp_path, GANTERP_QUEUE_BUCKET="s3://no-such-bucket/x", GANTERP_S3_ENDPOINT_URL=server.endpoint
        )
        finding = doctor.check_bucket(absent)
        assert finding.state is State.PROBLEM and "cannot be reached" in finding.detail
    finally:
        server.stop()


def test_missing_or_broken_beat_network_weights_are_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.music import beat_network

    settings = settings_with(tmp_path)
    monkeypatch.setattr(beat_network, "WEIGHTS", tmp_path / "missing.npz")
    assert doctor.check_beat_network(settings).state is State.PROBLEM
    (tmp_path / "broken.npz").write_bytes(b"not an archive")
    monkeypatch.setattr(beat_network, "WEIGHTS", tmp_path / "broken.npz")
    finding = doctor.check_beat_network(settings)
    assert finding.state is State.PROBLEM and "reinstall" in finding.line()
