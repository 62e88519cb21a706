"""What `auto` picks: the model size for the device."""

from __future__ import annotations

from pipeline.biggan.device import pick_model


def test_auto_model_is_128_on_a_cpu_and_explicit_names_stay() -> None:
    assert pick_model("auto", "cpu") == "biggan-deep-128"
    assert pick_model("biggan-deep-512", "cpu") == "biggan-deep-512"
