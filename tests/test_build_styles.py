"""tools/build_styles.py (`make styles`): the candidate recipe is valid training settings for every folder,
and a built style is identified against its folder under the folder's own name, not as a second painter."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from vst_desktop.core import paths
from vst_desktop.evaluation.run import identify_folders
from vst_desktop.trainspec.config import TrainConfig, config_problems, parse_setting
from vst_desktop.trainspec.presets import PRESETS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import build_styles  # noqa: E402

SHARED = paths.shared_data_dir()


@pytest.mark.parametrize("recipe", list(build_styles.CANDIDATES))
def test_every_candidate_is_valid_settings_for_every_builtin_style(recipe):
    styles = build_styles.candidate_styles(recipe)
    assert [s.folder for s in styles] == [s.folder for s in build_styles.STYLES]
    for style in styles:
        # the same `--set KEY=VALUE` text that train() passes on the command line
        settings = dict(parse_setting(f"{k}={v}") for k, v in style.settings.items())
        config = dataclasses.replace(TrainConfig(**PRESETS["quick"]), **settings)
        assert config_problems(config) == [], style.folder
        assert config.marks == "analogy" and config.w_adv > 0  # a discriminator on the folder's paintings
        for key, value in build_styles.CANDIDATES[recipe].items():  # the variant's own settings arrive
            assert getattr(config, key) == value
    redraw = {s.folder: (s.settings.get("analogy_flatten", 0), s.settings.get("analogy_lead", 0.0)) for s in styles}
    assert redraw["picabia_udnie"] == (1, 0.8) and redraw["ukiyo_e"] == (0, 0.0) and redraw["kandinsky"] == (2, 0.0)
    with pytest.raises(ValueError, match="unknown candidate"):
        build_styles.candidate_styles("nonsense")


def test_a_second_seed_of_a_candidate_is_built_beside_the_first():
    first, second = build_styles.candidate_build("painter", 0), build_styles.candidate_build("painter", 1)
    assert first.name == "styles_painter" and second.name == "styles_painter_seed1"
    assert first.parent == second.parent == build_styles.BUILD.parent


@pytest.mark.skipif(SHARED is None or not (SHARED / "styles").is_dir(), reason="needs ../shared/data")
def test_a_built_style_is_identified_against_its_own_folder_once(tmp_path):
    style = build_styles.STYLES[0]
    images, _ = build_styles.image_folder(style, build_styles.unverified_files(), tmp_path)
    named = build_styles.named_folder(style, tmp_path)
    assert named.name == style.folder and sorted(p.name for p in named.iterdir()) == sorted(
        p.name for p in images.iterdir())
    assert build_styles.named_folder(style, tmp_path) == named  # a second build finds the link in place
    names = [p.name for p in identify_folders(named)]
    assert names.count(style.folder) == 1 and "images" not in names
    assert [p for p in identify_folders(named) if p.name == style.folder] == [named]
    # the links folder itself would have been a tenth class beside the painter's own folder
    assert "images" in [p.name for p in identify_folders(images)]


def test_the_builtin_styles_draws_are_built_beside_them():
    assert build_styles.candidate_build(None, 0) == build_styles.BUILD
    assert build_styles.candidate_build(None, 2).name == "styles_seed2"


def _draw(root: Path, seed: int) -> Path:
    run = root / f"seed{seed}" / "run"
    (run / "package").mkdir(parents=True)
    (run / "package" / "style.onnx").write_bytes(b"")  # the scorer below does not open it
    return run


@pytest.mark.skipif(SHARED is None or not (SHARED / "styles").is_dir(), reason="needs ../shared/data")
def test_the_draw_the_tune_part_names_most_surely_is_kept(tmp_path):
    import json

    style = build_styles.STYLES[0]
    runs = {"painter seed 0": _draw(tmp_path, 0), "painter seed 1": _draw(tmp_path, 1),
            "painter seed 2": tmp_path / "seed2" / "run"}  # seed 2 never built
    tune = {"seed0": 0.21, "seed1": 0.34}
    scored = []

    def score(onnx: Path, folder: str) -> dict:
        scored.append((onnx.parents[2].name, folder))
        return {"p_own": tune[onnx.parents[2].name]}

    chosen = tmp_path / "chosen"
    link = build_styles.choose_draw(style, runs, chosen, score, lambda msg: None)
    assert sorted(scored) == [("seed0", style.folder), ("seed1", style.folder)]
    assert link == chosen / style.folder / "run" and link.is_symlink()
    assert link.resolve() == runs["painter seed 1"].resolve()
    record = json.loads((chosen / style.folder / "draws.json").read_text())
    assert record["chosen"] == "painter seed 1" and set(record["tune"]) == {"painter seed 0", "painter seed 1"}
    # the chosen folder can be measured like any build: its images are there for the identifier's link
    assert build_styles.named_folder(style, chosen).is_dir()
    tune["seed0"] = 0.5  # a later choice replaces the link
    link = build_styles.choose_draw(style, runs, chosen, score, lambda msg: None)
    assert link.resolve() == runs["painter seed 0"].resolve()
    with pytest.raises(RuntimeError, match="no draw"):
        build_styles.choose_draw(style, {"painter seed 2": runs["painter seed 2"]}, chosen, score, lambda msg: None)


def test_an_unknown_candidate_or_no_draw_is_refused_with_exit_code_2(monkeypatch, capsys):
    for argv in (["--candidate", "painter,nonsense"], ["--draws", "0"]):
        monkeypatch.setattr(sys, "argv", ["build_styles.py", *argv])
        assert build_styles.main() == 2
        assert "error:" in capsys.readouterr().err


@pytest.mark.skipif(SHARED is None or not (SHARED / "styles").is_dir(), reason="needs ../shared/data")
def test_a_draw_whose_wall_repeats_is_kept_only_when_every_draw_repeats(tmp_path):
    style = build_styles.STYLES[0]
    runs = {"crop": _draw(tmp_path, 0), "quilt": _draw(tmp_path, 1)}
    tune = {"seed0": {"p_own": 0.5, "wall_repetition": 0.9}, "seed1": {"p_own": 0.3, "wall_repetition": 0.05}}
    score = lambda onnx, folder: tune[onnx.parents[2].name]  # noqa: E731
    quiet = lambda msg: None  # noqa: E731
    assert build_styles.choose_draw(style, runs, tmp_path / "a", score, quiet).resolve() == runs["quilt"].resolve()
    off = build_styles.choose_draw(style, runs, tmp_path / "b", score, quiet, max_wall_repetition=1.0)
    assert off.resolve() == runs["crop"].resolve()  # the rule switched off: the identifier alone
    tune["seed1"]["wall_repetition"] = 0.8  # every draw repeats: the surest one
    assert build_styles.choose_draw(style, runs, tmp_path / "c", score, quiet).resolve() == runs["crop"].resolve()
