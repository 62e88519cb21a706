"""Classes, latents and per-frame sampling: seeded, faithful to the cuts, at a real frame rate."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import analysis as A
from pipeline.classes import all_classes, class_name, parse_class_list, resolve_class
from pipeline.errors import InvalidOption, UnknownClass
from pipeline.plan import build_plan
from tests.conftest import music_like


@pytest.fixture(scope="module")
def analysed() -> A.Analysis:
    return A.analyse(music_like(12.0, seed=2, channels=1)[:, 0], 44_100, segments=6, kind=A.InflectionKind.BOTH)


def test_class_table_is_imagenet_in_wordnet_order() -> None:
    classes = all_classes()
    assert len(classes) == 1000
    assert classes[0].wnid == "n01440764" and classes[0].name == "tench"
    assert class_name(107) == "jellyfish" and class_name(419) == "Band Aid"
    assert [c.wnid for c in classes] == sorted(c.wnid for c in classes)


def test_class_ids_and_exact_names() -> None:
    assert parse_class_list("419,419, 107 ,617") == [419, 419, 107, 617]
    assert parse_class_list("Jellyfish, golden retriever, 3") == [107, 207, 3]
    assert resolve_class("crane") in (134, 517)  # two classes share the name: a first name wins
    with pytest.raises(UnknownClass, match=r"jellyfsh.*did you mean: jellyfish"):
        resolve_class("jellyfsh")
    with pytest.raises(UnknownClass):
        resolve_class("1000")


def test_user_classes_in_order_then_seeded_random(analysed: A.Analysis) -> None:
    n_points = len(analysed.inflection_points)
    assert n_points >= 4
    plan = build_plan(analysed, fps=30, seed=5, classes=(419, 419, 107))
    assert plan.class_ids[:3].tolist() == [419, 419, 107]
    again = build_plan(analysed, fps=30, seed=5, classes=(419, 419, 107))
    other = build_plan(analysed, fps=30, seed=6, classes=(419, 419, 107))
    assert plan.class_ids.tolist() == again.class_ids.tolist()
    np.testing.assert_array_equal(plan.latents, again.latents)
    assert not np.array_equal(plan.latents, other.latents)
    extra = build_plan(analysed, fps=30, seed=5, classes=tuple(range(n_points + 2)))
    assert extra.unused_classes == (n_points, n_points + 1)


def test_latents_fresh_per_point_or_fixed(analysed: A.Analysis) -> None:
    fresh = build_plan(analysed, fps=30, seed=1, truncation=0.4)
    fixed = build_plan(analysed, fps=30, seed=1, truncation=0.4, fixed_noise=True)
    assert fresh.latents.shape == (len(analysed.inflection_points), 128)
    assert len({row.tobytes() for row in fresh.latents}) == len(fresh.latents)
    assert len({row.tobytes() for row in fixed.latents}) == 1
    assert np.abs(fresh.latents).max() <= 2 * 0.4  # truncated normal in [-2, 2], scaled


@pytest.mark.parametrize("fps", [12, 24, 29.97, 30, 60])
def test_video_length_and_cuts_within_one_frame(analysed: A.Analysis, fps: float) -> None:
    plan = build_plan(analysed, fps=fps, seed=0)
    duration = analysed.n_samples / analysed.sample_rate
    assert abs(plan.n_frames / fps - duration) <= 1 / fps
    for index, cut in enumerate(analysed.inflection_times[1:-1], start=1):
        first_frame = int(np.argmax(plan.frame_segment >= index))  # first frame of the new segment
        assert abs(first_frame / fps - cut) <= 1 / fps


def test_frame_inputs_interpolate_between_neighbouring_points(analysed: A.Analysis) -> None:
    plan = build_plan(analysed, fps=30, seed=3)
    z, y = plan.frame_inputs(0, plan.n_frames)
    assert z.shape == (plan.n_frames, 128) and y.shape == (plan.n_frames, 1000)
    assert z.dtype == y.dtype == np.float32
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-6)
    j = plan.n_frames // 2
    k, alpha = plan.frame_segment[j], plan.frame_alpha[j]
    expected_z = (1 - alpha) * plan.latents[k] + alpha * plan.latents[k + 1]
    np.testing.assert_allclose(z[j], expected_z, rtol=1e-5)
    assert y[j, plan.class_ids[k + 1]] >= alpha - 1e-6
    z_part, _ = plan.frame_inputs(j, j + 3)
    np.testing.assert_array_equal(z_part, z[j : j + 3])


@pytest.mark.parametrize(("fps", "truncation"), [(0.5, 0.2), (61, 0.2), (30, 0.0), (30, 1.5)])
def test_plan_options_out_of_range(analysed: A.Analysis, fps: float, truncation: float) -> None:
    with pytest.raises(InvalidOption):
        build_plan(analysed, fps=fps, seed=0, truncation=truncation)


def test_random_fill_draws_from_a_pool_and_keeps_old_draws_without_one(analysed: A.Analysis) -> None:
    n_points = len(analysed.inflection_points)
    pool = (7, 99, 207)
    plan = build_plan(analysed, fps=30, seed=5, classes=(419,), pool=pool)
    assert plan.class_ids[0] == 419 and set(plan.class_ids[1:].tolist()) <= set(pool)
    # Without a pool, the draw is the one old seeds always gave.
    expected = np.random.default_rng(5).integers(0, 1000, size=n_points - 1).tolist()
    assert build_plan(analysed, fps=30, seed=5, classes=(419,)).class_ids[1:].tolist() == expected
    with pytest.raises(InvalidOption, match="random class pool"):
        build_plan(analysed, fps=30, seed=5, pool=())
    with pytest.raises(InvalidOption, match="class id"):
        build_plan(analysed, fps=30, seed=5, pool=(1000,))


def test_truncated_normal_draws_scipys_numbers_to_the_bit() -> None:
    """Seeds keep their videos: the numpy sampler gives exactly what scipy.stats.truncnorm gave."""
    from scipy.stats import truncnorm

    from pipeline.plan import truncated_normal

    for seed in range(40):
        for size in [(1, 128), (7, 128), (3, 5)]:
            expected = truncnorm.rvs(-2, 2, size=size, random_state=np.random.default_rng(seed))
            np.testing.assert_array_equal(truncated_normal(np.random.default_rng(seed), size), expected)
    many = truncated_normal(np.random.default_rng(0), (20_000,))
    assert -2 <= many.min() < -1.99 and 1.99 < many.max() <= 2 and abs(many.std() - 0.88) < 0.01
