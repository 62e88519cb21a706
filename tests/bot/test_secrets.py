"""No secret of the configuration shows anywhere: reprs, log lines (every library at DEBUG), error messages."""

from __future__ import annotations

import dataclasses
import http.server
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses

from bot.cli.main import main
from bot.logs import configured_logging
from bot.service import open_store
from bot.settings import Settings
from bot.x.bot import XFrontEnd
from bot.x.media import OAuth1Credentials
from tests.bot.x.fake_x import ME, MENTIONS, TW, mention, page, video_media
from tests.conftest import ClipMaker

SECRETS = {
    "DISCORD_TOKEN": "discord-token-SECRET-1",
    "GANTERP_X_CONSUMER_KEY": "consumer-key-SECRET-2",
    "GANTERP_X_CONSUMER_SECRET": "consumer-secret-SECRET-3",
    "GANTERP_X_ACCESS_TOKEN": "access-token-SECRET-4",
    "GANTERP_X_ACCESS_TOKEN_SECRET": "access-secret-SECRET-5",
    "GANTERP_X_BEARER_TOKEN": "bearer-token-SECRET-6",
}
DB_PASSWORD = "db-password-SECRET-7"
WEIGHTS_USER, WEIGHTS_TOKEN = "weights-user", "weights-token-SECRET-9"  # a user name is not a secret
ALL_SECRETS = [*SECRETS.values(), DB_PASSWORD, WEIGHTS_TOKEN]


@pytest.fixture
def refusing_server() -> Iterator[str]:
    class Refuse(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(401, "Unauthorized")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def environment(tmp_path: Path, weights_host: str) -> dict[str, str]:
    return {
        **SECRETS,
        "GANTERP_DATA_DIR": str(tmp_path / "data"),
        "GANTERP_CACHE_DIR": str(tmp_path / "cache"),
        "GANTERP_LOG_LEVEL": "DEBUG",
        "GANTERP_X_API_HOST": "https://upload.test",
        "GANTERP_WEIGHTS_URLS": f"http://{WEIGHTS_USER}:{WEIGHTS_TOKEN}@{weights_host}/{{model}}/{{file}}",
    }


def test_reprs_hide_every_secret(tmp_path: Path) -> None:
    env = environment(tmp_path, "weights.test") | {
        "GANTERP_DATABASE_URL": f"postgresql://ganterp:{DB_PASSWORD}@db.internal/ganterp"
    }
    settings = Settings.load(environ=env, env_file=None)
    credentials = OAuth1Credentials(*(SECRETS[k] for k in list(SECRETS)[1:5]))
    for shown in (repr(settings), str(settings), repr(credentials), repr(dataclasses.asdict(credentials).keys())):
        assert not [s for s in ALL_SECRETS if s in shown], shown
    assert "db.internal" in repr(settings) and "***" in repr(settings)
    assert set(settings.secret_values()) == set(ALL_SECRETS)


def test_the_bots_logs_and_messages_hide_every_secret(
    tmp_path: Path,
    make_clip: ClipMaker,
    refusing_server: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = environment(tmp_path, refusing_server)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    # A weights download that fails (its address carries a user and a token), through the command line.
    assert main(["download-weights"]) == 1
    # Discord refuses the token: the message names the setting, never the token.
    import discord

    async def refuse(self: discord.Client, token: str) -> None:
        raise discord.LoginFailure(f"Improper token has been passed: {token}")

    monkeypatch.setattr(discord.Client, "login", refuse)
    assert main(["bot"]) == 1
    # The X front end at DEBUG: oauthlib logs every parameter it signs, tokens included.
    settings = Settings.load(env_file=None)
    with configured_logging(settings):
        store = open_store(settings)
        front = XFrontEnd.from_settings(settings, store)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
            api.get(f"{TW}/2/users/me", status=401, json={"title": "Unauthorized"})
            for _ in range(2):
                try:
                    front.poll_once()
                except Exception as exc:  # the loop's own handling is what logs it
                    from bot.x.bot import poll_outage

                    poll_outage(120).failed(exc)
            api.replace(responses.GET, f"{TW}/2/users/me", json={"data": {"id": ME, "username": "ganterp"}})
            parent = {"id": "500", "attachments": {"media_keys": ["7_500"]}}
            api.get(MENTIONS, json=page([mention("501", "dog", replied_to="500")], [parent], [video_media("7_500")]))
            api.post(f"{TW}/2/tweets", json={"data": {"id": "9", "text": "ok"}})
            front.poll_once()  # no clip download here: refused, and the refusal is posted (signed) on X
    captured = capsys.readouterr()
    everything = captured.out + captured.err
    assert "***" in everything, "the logs held secrets, and they were hidden"
    leaked = [s for s in ALL_SECRETS if s in everything]
    assert leaked == [], everything[-3000:]
    assert json.dumps(store.stats())  # the job log itself holds no credentials to leak


def test_presigned_urls_lose_their_signature_in_every_log_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-example-key")
    client = boto3.client("s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
    url = client.generate_presigned_url("put_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=60)
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(url).query)
    (signature,) = query.get("X-Amz-Signature") or query["Signature"]  # signature v4, or v2
    with configured_logging(Settings.load(environ=environment(tmp_path, "weights.test"), env_file=None)):
        logging.getLogger("saq").debug("Enqueuing Job<kwargs={'urls': {'output': %r}}>", url)
    err = capsys.readouterr().err
    assert "Signature=***" in err and signature not in err
