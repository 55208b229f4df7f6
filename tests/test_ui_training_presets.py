"""The dialog may not import the engine (torch), so it keeps its own copy of the preset step counts."""

from vst_desktop.training.presets import PRESETS, make_config
from vst_desktop.training.texture.marks import FAMILIES
from vst_desktop.ui.training_dialog import BRUSH_STRENGTH_DEFAULT, MARKS, TEMPORAL_DEFAULTS
from vst_desktop.ui.training_estimate import PRESET_STEPS


def test_dialog_preset_steps_match_the_engine():
    assert PRESET_STEPS == {name: p["iterations"] for name, p in PRESETS.items()}


def test_dialog_defaults_match_the_engine():
    for preset in PRESETS:
        cfg = make_config(preset)
        assert BRUSH_STRENGTH_DEFAULT == cfg.stroke_amp
        assert TEMPORAL_DEFAULTS[preset] == cfg.w_temporal
        assert MARKS[0][0] == cfg.marks  # the combo's first entry is the engine's default
    assert [key for key, _ in MARKS[1:]] == list(FAMILIES)
