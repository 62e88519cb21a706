"""End to end: a generated clip through `ganterp render` and `analyze`, read back from the files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from bot.cli.main import main
from pipeline.biggan.generator import BigGANGenerator
from pipeline.errors import CannotFitSize, OutputNotWritable, RenderCancelled
from pipeline.media.encode import bitrates_for, fit_to_limit
from pipeline.render import Progress, RenderOptions, prepare, render
from tests.conftest import ClipMaker, music_like, write_wav
from tests.media import atom_offsets, audio_seconds, decoded_frames, probe


@pytest.fixture(scope="module")
def generator(tiny_weights: Path) -> BigGANGenerator:
    return BigGANGenerator(tiny_weights, device="cpu")


def test_render_writes_a_postable_mp4(make_clip: ClipMaker, generator: BigGANGenerator, tmp_path: Path) -> None:
    clip = make_clip(5.0, name="song.mp3")
    options = RenderOptions(seed=7, fps=12, size=64, classes=(419, 107), segments=3)
    progress: list[str] = []
    prepared = prepare(clip, options, progress=lambda p: progress.append(p.stage))
    result = render(prepared, tmp_path / "out.mp4", generator, progress=lambda p: progress.append(p.stage))
    info = probe(result.output)
    assert info.video.startswith("h264 (High)") and "yuv420p" in info.video
    assert (info.width, info.height) == (64, 64)
    assert info.audio.startswith("aac (LC)") and "stereo" in info.audio
    frames = decoded_frames(result.output)
    plan = result.prepared.plan
    assert len(frames) == plan.n_frames == round(result.prepared.audio.duration_s * 12)
    assert abs(len(frames) / 12 - audio_seconds(result.output)) <= 1 / 12 + 0.03  # AAC priming adds ~20 ms
    offsets = atom_offsets(result.output)
    assert offsets["moov"] < offsets["mdat"], "+faststart puts the index first"
    assert frames.std() > 1.0
    assert {"decode", "analyse", "render", "encode", "done"} <= set(progress)
    sidecar = json.loads(result.sidecar.read_text())
    assert sidecar["seed"] == 7 and sidecar["frames_sha256"] == result.frames_sha256
    assert [s["class_id"] for s in sidecar["segments"][:2]] == [419, 107]
    assert sidecar["segments"][0]["class_name"] == "Band Aid" and len(sidecar["segments"]) == 3
    assert not list(tmp_path.glob(".*partial*")), "no temporary file left"


def test_same_input_options_and_seed_give_identical_frames(
    make_clip: ClipMaker, generator: BigGANGenerator, tmp_path: Path
) -> None:
    clip = make_clip(2.0)
    options = RenderOptions(seed=11, fps=8)
    first = render(prepare(clip, options), tmp_path / "a.mp4", generator)
    second = render(prepare(clip, options), tmp_path / "b.mp4", generator)
    third = render(prepare(clip, RenderOptions(seed=12, fps=8)), tmp_path / "c.mp4", generator)
    assert first.frames_sha256 == second.frames_sha256 != third.frames_sha256


def test_max_bytes_fits_the_file(make_clip: ClipMaker, generator: BigGANGenerator, tmp_path: Path) -> None:
    clip = make_clip(6.0)
    limit = 150_000
    result = render(
        prepare(clip, RenderOptions(seed=1, fps=24, size=256, max_bytes=limit)), tmp_path / "s.mp4", generator
    )
    assert result.size_bytes <= limit
    assert result.output.stat().st_size == result.size_bytes
    with pytest.raises(CannotFitSize, match="cannot fit in"):
        bitrates_for(100_000, 600.0)


@pytest.mark.parametrize(
    ("max_bytes", "duration_s", "asked", "fitted"),
    [
        (10 * 2**20, 60.0, (512, 30.0), (512, 30.0)),  # the bitrate alone is enough
        (10 * 2**20, 600.0, (512, 30.0), (162, 30.0)),  # a long clip: a smaller picture
        (400_000, 60.0, (256, 30.0), (128, 15.0)),  # smallest picture, then fewer frames
    ],
)
def test_a_byte_limit_lowers_bitrate_then_size_then_frame_rate(
    max_bytes: int, duration_s: float, asked: tuple[int, float], fitted: tuple[int, float]
) -> None:
    assert fit_to_limit(max_bytes, duration_s, *asked) == fitted
    with pytest.raises(CannotFitSize):
        fit_to_limit(2 * 2**20, 900.0, 256, 24.0)


def test_a_long_clip_under_a_small_limit_is_scaled_down_to_fit(
    make_clip: ClipMaker, generator: BigGANGenerator, tmp_path: Path
) -> None:
    limit = 150_000
    prepared = prepare(make_clip(12.0), RenderOptions(seed=1, fps=24, size=256, max_bytes=limit))
    assert (prepared.size, prepared.plan.fps) == (192, 24)
    result = render(prepared, tmp_path / "small.mp4", generator)
    assert result.size_bytes <= limit and probe(result.output).width == 192


def test_unwritable_output_fails_before_rendering(
    make_clip: ClipMaker, generator: BigGANGenerator, tmp_path: Path
) -> None:
    prepared = prepare(make_clip(1.5), RenderOptions(seed=1, fps=4))
    with pytest.raises(OutputNotWritable, match="does not exist"):
        render(prepared, tmp_path / "missing" / "x.mp4", generator)


# ----------------------------------------------------------------------------- the command line


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_render_prints_segments_and_writes_files(
    make_clip: ClipMaker, tiny_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clip = make_clip(3.0, name="tune.ogg")
    out = tmp_path / "tune.mp4"
    code, stdout, stderr = run_cli(
        capsys, "render", str(clip), "-o", str(out), "--weights", str(tiny_weights),
        "--classes", "419, jellyfish", "--seed", "7", "--fps", "10", "--segments", "2",
    )  # fmt: skip
    assert code == 0, stderr
    assert re.search(r"0\.00 s\s+419 Band Aid", stdout)
    assert "107 jellyfish" in stdout and "seed 7" in stdout
    assert out.is_file() and out.with_suffix(".json").is_file()


def test_cli_analyze_json_and_plot(make_clip: ClipMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = make_clip(8.0)
    png = tmp_path / "cuts.png"
    code, stdout, _ = run_cli(
        capsys, "analyze", str(clip), "--json", "--plot", str(png), "--segments", "3", "--seed", "2"
    )
    assert code == 0
    report = json.loads(stdout)
    assert report["inflection_points"][0] == 0 and len(report["inflection_points"]) == 4
    assert len(report["inflection_times"]) == 4 and len(report["segments"]) == 3
    assert report["sample_rate"] == 44_100 and report["seed"] == 2
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["render", "{missing}"], "does not exist"),
        (["render", "{text}"], "is not an audio or video file"),
        (["render", "{silent_video}"], "has no audio track"),
        (["render", "{truncated}"], "damaged or truncated"),
        (["render", "{short}"], "must be at least 1 s"),
        (["render", "{clip}", "--classes", "jellyfsh"], "did you mean: jellyfish"),
        (["render", "{clip}", "--classes", "1000"], "not a BigGAN class id"),
        (["render", "{clip}", "--fps", "500"], "--fps must be between 1 and 60"),
        (["render", "{clip}", "--truncation", "0"], "--truncation must be in (0, 1]"),
        (["render", "{clip}", "--size", "33"], "--size must be an even number"),
        (["analyze", "{clip}", "--threshold", "2"], "--threshold must be between 0 and 1"),
        (["render", "{clip}", "-o", "{nowhere}"], "cannot write"),
        (["render", "{clip}", "--max-duration", "2"], "longer than the maximum"),
        # Hostile or careless command lines (issue 9).
        (["render", "{clip_mp4}", "-o", "{clip_mp4}"], "it is the input clip, which would be overwritten"),
        (["render", "{clip}", "-o", "{dir}/a.avi"], "the name must end in .mp4"),
        (["render", "{clip}", "-o", "{folder_mp4}"], "it is a folder"),
        (["render", "{clip}", "-o", "{dir}/a\0b.mp4"], "cannot contain a NUL byte"),
        (["render", "{dir}/a\0b.wav"], "does not exist"),
        (["analyze", "{clip}", "--plot", "{dir}"], "the name must end in .png"),
        (["analyze", "{clip}", "--plot", "{folder_png}"], "it is a folder"),
        (["analyze", "{clip}", "--plot", "{dir}/missing/dir/a.png"], "does not exist"),
        (["analyze", "{clip}", "--plot", "{dir}/a\0.png"], "cannot contain a NUL byte"),
        (["render", "{clip}", "--start", "50"], "--start 50 s is past the end of the audio, which is 3.00 s long"),
        (["render", "{clip}", "--start", "1e300"], "--start must be a time in seconds from 0"),
        (["render", "{clip}", "--start", "nan"], "--start must be a time in seconds from 0"),
        (["render", "{clip}", "--max-duration", "-1"], "--max-duration must be a number of seconds"),
        (["render", "{clip}", "--duration", "inf"], "--duration must be at least 1 seconds"),
        (["analyze", "{clip}", "--segment-seconds", "inf"], "--segment-seconds must be from 1 to 3600 seconds"),
        (["analyze", "{clip}", "--segment-seconds", "1e308"], "--segment-seconds must be from 1 to 3600 seconds"),
        (["analyze", "{clip}", "--max-duration", "1e308"], "--max-duration must be a number of seconds from 1"),
        (["render", "{clip}", "--batch-size", "0"], "--batch-size must be at least 1"),
        (["render", "{disguised_png}"], 'picture.mp3" is not an audio or video file'),
        (["render", "{playlist}"], "is not an audio or video file"),
        (["render", "{concat}"], "is not an audio or video file"),
    ],
)
def test_cli_bad_input_is_one_sentence_and_exit_1(
    argv: list[str], message: str, bad_inputs: dict[str, str], tiny_weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [part.format(**bad_inputs) for part in argv]
    if args[0] == "render":
        args += ["--weights", str(tiny_weights)]
    code, _stdout, stderr = run_cli(capsys, *args)
    assert code == 1
    assert message in stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert not list(Path.cwd().glob("*.ganterp.mp4")) and not list(Path(bad_inputs["dir"]).glob("*partial*"))
    assert not [p for p in Path(bad_inputs["dir"]).glob("*.png") if p.is_file()], "no plot for a refused request"


@pytest.fixture
def bad_inputs(make_clip: ClipMaker, tmp_path: Path) -> dict[str, str]:
    import subprocess

    from pipeline.media.ffmpeg import base_command

    clip = make_clip(3.0)
    text = tmp_path / "words.mp3"
    text.write_text("not audio\n" * 30)
    truncated = tmp_path / "cut.wav"
    truncated.write_bytes(clip.read_bytes()[:60_001])
    silent_video = tmp_path / "silent.mp4"
    subprocess.run([*base_command(), "-f", "lavfi", "-i", "testsrc=duration=1", str(silent_video)], check=True)
    short = write_wav(tmp_path / "short.wav", music_like(0.5))
    clip_mp4 = tmp_path / "song.mp4"
    subprocess.run([*base_command(), "-i", str(clip), "-c:a", "aac", str(clip_mp4)], check=True)
    disguised = tmp_path / "picture.mp3"
    subprocess.run([*base_command(), "-f", "lavfi", "-i", "testsrc=size=32x32", "-frames:v", "1", "-f", "image2",
                    "-c:v", "png", str(disguised)], check=True)  # fmt: skip
    # Text that ffmpeg's playlist and concat readers would follow to another file on this machine.
    playlist = tmp_path / "list.mp3"
    playlist.write_text(f"#EXTM3U\n#EXTINF:3,\nfile://{clip}\n#EXT-X-ENDLIST\n")
    concat = tmp_path / "concat.mp3"
    concat.write_text(f"ffconcat version 1.0\nfile {clip.name}\n")
    (tmp_path / "folder.mp4").mkdir()
    (tmp_path / "folder.png").mkdir()
    return {
        "dir": str(tmp_path), "clip": str(clip), "missing": str(tmp_path / "nope.wav"), "text": str(text),
        "truncated": str(truncated), "silent_video": str(silent_video), "short": str(short),
        "nowhere": str(tmp_path / "no" / "such" / "dir" / "x.mp4"), "clip_mp4": str(clip_mp4),
        "disguised_png": str(disguised), "playlist": str(playlist), "concat": str(concat),
        "folder_mp4": str(tmp_path / "folder.mp4"), "folder_png": str(tmp_path / "folder.png"),
    }  # fmt: skip


def test_cli_missing_weights_without_network(
    make_clip: ClipMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GANTERP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GANTERP_WEIGHTS_URLS", "http://127.0.0.1:9/{model}/{file}")
    code, _, stderr = run_cli(capsys, "render", str(make_clip(1.5)), "-o", str(tmp_path / "x.mp4"))
    assert code == 1
    assert "put config.json and pytorch_model.bin in" in stderr and "weights/biggan-deep-128" in stderr


def test_silence_renders_a_one_segment_video(
    tiny_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    silence = write_wav(tmp_path / "quiet.wav", np.zeros((44_100 * 2, 2), np.float32))
    code, stdout, stderr = run_cli(
        capsys, "render", str(silence), "-o", str(tmp_path / "q.mp4"), "--weights", str(tiny_weights), "--fps", "6"
    )
    assert code == 0, stderr
    assert stdout.startswith("1 segment,")


class _FailingGenerator:
    """Delegates to a real generator, then fails on the second batch like a crashed GPU would."""

    def __init__(self, inner: BigGANGenerator) -> None:
        self.inner, self.output_size, self.batch_size, self.calls = inner, inner.output_size, 2, 0
        self.device, self.precision = inner.device, inner.precision

    def generate(self, z: np.ndarray, y: np.ndarray, truncation: float, size: int | None = None) -> np.ndarray:
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("device lost")
        return self.inner.generate(z, y, truncation, size)


def test_a_failure_mid_render_leaves_no_file(make_clip: ClipMaker, generator: BigGANGenerator, tmp_path: Path) -> None:
    prepared = prepare(make_clip(2.0), RenderOptions(seed=1, fps=6))
    with pytest.raises(RuntimeError, match="device lost"):
        render(prepared, tmp_path / "x.mp4", _FailingGenerator(generator))
    assert list(tmp_path.iterdir()) == [prepared.source] or not list(tmp_path.glob("*.mp4"))
    assert not list(tmp_path.glob(".*partial*"))


def test_should_stop_cancels_between_batches(make_clip: ClipMaker, generator: BigGANGenerator, tmp_path: Path) -> None:
    prepared = prepare(make_clip(2.0), RenderOptions(seed=1, fps=12))
    seen: list[int] = []
    with pytest.raises(RenderCancelled):
        render(
            prepared,
            tmp_path / "x.mp4",
            generator,
            progress=lambda p: seen.append(p.done) if p.stage == "render" else None,
            should_stop=lambda: len(seen) >= 3,
        )
    assert not (tmp_path / "x.mp4").exists() and not list(tmp_path.glob(".*partial*"))
    assert max(seen) < prepared.plan.n_frames


def test_progress_reports_rate_and_eta() -> None:
    event = Progress("render", 30, 120, 10.0)
    assert event.fraction == 0.25 and event.eta_s == pytest.approx(30.0)
    assert Progress("render", 0, 120, 0.0).eta_s is None


def test_cli_segment_seconds_and_download_weights(
    make_clip: ClipMaker,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    weights_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "GANTERP_WEIGHTS_URLS", f"{weights_server}/nothing/{{file}},{weights_server}/mirror/{{model}}/{{file}}"
    )
    code, stdout, _ = run_cli(capsys, "analyze", str(make_clip(8.0)), "--segment-seconds", "4", "--kind", "both")
    assert code == 0 and stdout.startswith("2 segments")
    target = tmp_path / "fetched"
    code, stdout, stderr = run_cli(capsys, "download-weights", "--weights", str(target))
    assert code == 0, stderr
    assert "ok," in stdout and (target / "pytorch_model.bin").is_file()


def test_preview_writes_a_contact_sheet_of_what_the_render_will_show(
    make_clip: ClipMaker, tiny_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    clip = make_clip(8.0)
    sheet = tmp_path / "sheet.png"
    code, stdout, stderr = run_cli(
        capsys,
        "preview",
        str(clip),
        "-o",
        str(sheet),
        "--weights",
        str(tiny_weights),
        "--classes",
        "dog",
        "--seed",
        "3",
    )
    assert code == 0, stderr
    image = Image.open(sheet)
    n_cuts = int(stdout.split(" segment")[0]) + 1
    columns = min(4, n_cuts)
    assert image.size == (columns * 160, -(-n_cuts // columns) * (160 + 34))
    code, _, stderr = run_cli(capsys, "preview", str(clip), "-o", str(tmp_path / "sheet.jpg"))
    assert code == 1 and "the name must end in .png" in stderr


def test_every_named_class_is_shown_even_when_the_music_asks_for_fewer_cuts(make_clip: ClipMaker) -> None:
    named = (1, 2, 3, 4, 5, 6, 7, 8, 9)
    clip = make_clip(20.0)
    assert len(prepare(clip, RenderOptions(seed=1)).plan.class_ids) < len(named), "the music alone asks for fewer"
    prepared = prepare(clip, RenderOptions(seed=1, classes=named))
    assert prepared.plan.class_ids[: len(named)].tolist() == list(named) and prepared.plan.unused_classes == ()
    assert prepared.plan.n_asked == len(named)
    # A clip too short for them all says so instead of dropping classes quietly.
    short = prepare(make_clip(3.0), RenderOptions(seed=1, classes=named))
    assert short.plan.unused_classes and short.notes
