"""The dialog may not import the engine (torch), so it keeps its own copy of the preset step counts."""

from vst_desktop.training.config import TrainConfig
from vst_desktop.training.presets import PRESETS
from vst_desktop.ui.training_dialog import CONTENT_STRENGTH_DEFAULT, TEMPORAL_DEFAULT
from vst_desktop.ui.training_estimate import PRESET_STEPS


def test_dialog_preset_steps_match_the_engine():
    assert PRESET_STEPS == {name: p["iterations"] for name, p in PRESETS.items()}


def test_dialog_defaults_match_the_engine():
    cfg = TrainConfig()
    assert CONTENT_STRENGTH_DEFAULT == cfg.w_lowfreq
    assert TEMPORAL_DEFAULT == cfg.w_temporal
