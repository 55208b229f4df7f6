"""Presets: a name for a set of config values sized to a time budget (docs/training.md has the measured
step times they were chosen from).

- quick: at most 30 minutes on 2 CPU cores; the style is recognisable.
- balanced: at most 2 hours on 2 CPU cores, in the background.
- high: a GPU for minutes; the wider `quality` generator at larger crops.
"""

from __future__ import annotations

from vst_desktop.training.config import TrainConfig

# Measured step times (docs/training.md): quick 0.23 s and balanced 0.44 s on 2 pinned Xeon cores with 2
# threads; high 0.11 s on one H100. Iterations leave about a third of the budget as margin for slower CPUs.
PRESETS: dict[str, dict] = {
    "quick": dict(generator="fast", iterations=5000, batch_size=4, crop_size=160,
                  sample_every=250, checkpoint_every=250),
    "balanced": dict(generator="fast", iterations=12000, batch_size=6, crop_size=192,
                     sample_every=500, checkpoint_every=500),
    "high": dict(generator="quality", iterations=10000, batch_size=16, crop_size=256, d_width=64,
                 sample_every=1000, checkpoint_every=1000),
}


# Paired mode: the target images define the content, so the terms that pull the output back towards the
# input photo (low-frequency luminance, PatchNCE) would fight the very edit being learned.
PAIRED_OVERRIDES: dict = dict(w_lowfreq=0.0, w_nce=0.0, w_identity=0.0)


def preset_names() -> list[str]:
    return list(PRESETS)


def make_config(preset: str = "quick", **overrides) -> TrainConfig:
    """The preset's config, with `overrides` (config field names) applied on top (and the paired-mode
    weights when `paired=True`)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
    values = dict(PRESETS[preset], preset=preset)
    if overrides.get("paired"):
        values.update(PAIRED_OVERRIDES)
    values.update(overrides)
    return TrainConfig(**values)
