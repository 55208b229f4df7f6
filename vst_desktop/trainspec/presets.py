"""Presets: a name for a set of config values sized to a time budget (docs/training.md has the measured
step times they were chosen from).

- quick: at most 30 minutes on 2 CPU cores; the style is recognisable.
- balanced: at most 2 hours on 2 CPU cores, in the background.
- high: a GPU for minutes; the wider `quality` generator at larger crops.
"""

from __future__ import annotations

from vst_desktop.trainspec.config import MARK_FAMILIES, TrainConfig

# Measured step times (docs/training.md). Iterations leave about a third of the budget as margin for slower
# CPUs. The painted recipe is the default; `--set recipe=gan` selects the unpaired adversarial one.
PAINTED: dict = dict(
    recipe="painted", generator="painter", marks="auto", w_adv=0.0, w_nce=0.0, w_lowfreq=0.0, w_identity=0.0, w_tv=0.0,
    w_paired_l1=1.0, w_highpass=2.0, w_temporal=8.0, temporal_noise=0.01,
    lr_g=1e-3, betas=[0.9, 0.99], max_image_side=512, paired_scale_jitter=[0.8, 1.25])
GAN_PRESETS: dict[str, dict] = {
    "quick": dict(recipe="gan", generator="fast", iterations=5000, batch_size=4, crop_size=160),
    "balanced": dict(recipe="gan", generator="fast", iterations=12000, batch_size=6, crop_size=192),
    "high": dict(recipe="gan", generator="quality", iterations=10000, batch_size=16, crop_size=256, d_width=64),
}
PRESETS: dict[str, dict] = {
    "quick": dict(PAINTED, iterations=1500, batch_size=4, crop_size=128, sample_every=100, checkpoint_every=100),
    # Longer training grows more texture and more flicker: temporal 8 gave ewarp 1.52, 10 gives 1.31
    # (van_gogh, docs/research/training_log.md).
    "balanced": dict(PAINTED, iterations=4000, batch_size=4, crop_size=160, w_temporal=10.0, sample_every=250,
                     checkpoint_every=250),
    "high": dict(PAINTED, generator="quality", iterations=10000, batch_size=16, crop_size=256,
                 sample_every=1000, checkpoint_every=1000),
}


# Paired mode: the target images define the content, so the terms that pull the output back towards the
# input photo (low-frequency luminance, PatchNCE) would fight the very edit being learned.
PAIRED_OVERRIDES: dict = dict(w_lowfreq=0.0, w_nce=0.0, w_identity=0.0)


# The analogy marks (copied from the paintings) average away without a discriminator: asking for them brings
# one, at the weight that named the most styles on the tune part (analogy_D in docs/research/analogy_marks.md;
# more temporal noise, a high-pass discriminator or heavier teacher terms named fewer). A value set
# explicitly still wins.
ANALOGY_OVERRIDES: dict = dict(w_adv=0.5)


def preset_names() -> list[str]:
    return list(PRESETS)


def make_config(preset: str = "quick", **overrides) -> TrainConfig:
    """The preset's config, with `overrides` (config field names) applied on top (and the paired-mode
    weights when `paired=True`)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
    values = dict(PRESETS[preset], preset=preset)
    if overrides.get("recipe") == "gan" or overrides.get("paired"):
        # The adversarial recipe (paired mode learns the user's own edits with it too).
        values = dict(GAN_PRESETS[preset], preset=preset, sample_every=values["sample_every"],
                      checkpoint_every=values["checkpoint_every"])
    if overrides.get("paired"):
        values.update(PAIRED_OVERRIDES)
    if overrides.get("marks") == "analogy" and values.get("recipe") == "painted":
        values.update(ANALOGY_OVERRIDES)
    values.update(overrides)
    return TrainConfig(**values)


# What the GUI shows and compares against (it passes on only a value the user changed, so these stay the
# engine's own defaults): the step counts, the temporal weight and brush strength, the mark families.
PRESET_STEPS: dict[str, int] = {name: values["iterations"] for name, values in PRESETS.items()}
TEMPORAL_DEFAULTS: dict[str, float] = {name: make_config(name).w_temporal for name in PRESETS}
STROKE_AMP_DEFAULT: float = make_config().stroke_amp  # no preset changes it
_MARK_WORDS = {"strokes": "Strokes along the edges", "dabs": "Horizontal dabs", "planes": "Flat colour planes",
               "analogy": "The paintings' own marks (experimental)"}
# (value, words) for each `marks` choice, the default ("auto": the folder's style critic chooses) first.
MARKS: list[tuple[str, str]] = [("auto", "Automatic (the paintings decide)"),
                                *((family, _MARK_WORDS[family]) for family in MARK_FAMILIES)]
