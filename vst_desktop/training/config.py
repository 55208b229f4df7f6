"""One config object per training run (as in nanoGPT and CUT): saved as `config.json` in the run folder and
inside every checkpoint, so a run can always be reproduced or resumed from its own files.

Loss weights are named `w_<term>`; a term whose weight is 0 is not even computed.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from vst_desktop.core.errors import TrainingError


@dataclass
class TrainConfig:
    # what to train on
    styles_dir: str = ""
    content_dir: str = ""  # "" = the bundled resources/content photos
    paired: bool = False  # styles_dir holds input/ and target/ (set automatically when detected)
    name: str = ""  # style name shown in the gallery; "" = the style folder's name
    preset: str = "quick"
    # "painted": a closed-form colour transform plus brush strokes distilled from a deterministic stroke
    # teacher (docs/training.md); "gan": the unpaired adversarial recipe (colour and tone, few strokes).
    recipe: str = "painted"

    # networks
    generator: str = "fast"  # models.GENERATOR_SIZES
    d_width: int = 32
    d_scales: int = 2

    # schedule
    iterations: int = 3000
    batch_size: int = 4
    crop_size: int = 160
    scale_jitter: list[float] = field(default_factory=lambda: [0.6, 1.0])  # crop side / image short side
    paired_scale_jitter: list[float] = field(default_factory=lambda: [0.8, 1.25])  # crop window / crop px
    max_image_side: int = 640  # images are downsized once at load to bound memory and crop cost
    lr_g: float = 2e-4
    lr_d: float = 4e-4  # two-timescale: the discriminator learns faster than the generator
    betas: list[float] = field(default_factory=lambda: [0.5, 0.999])
    lr_decay_start: float = 0.5  # fraction of the run after which both lrs decay linearly to 0
    ema_decay: float = 0.995
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda
    threads: int = 0  # torch CPU threads; 0 = torch's default

    # loss weights (each term is documented in losses.py)
    w_adv: float = 1.0
    w_nce: float = 1.0
    w_lowfreq: float = 2.0  # the "content strength" knob
    w_identity: float = 0.5
    w_tv: float = 0.05
    w_temporal: float = 2.0
    w_paired_l1: float = 10.0  # paired mode and the painted recipe (L1 to the target)
    w_highpass: float = 0.0  # L1 between grey high-passes of output and target: the strokes themselves

    # painted recipe: the stroke teacher (training/texture/strokes.py) and the colour transform
    # marks: "strokes" (the stroke_* values below), "dabs", "planes", or "auto": the style critic picks one
    # per folder before step 0 (training/texture/marks.py) and the run's config records the choice.
    marks: str = "strokes"
    stroke_radius: int = 3  # Kuwahara radius: size of the flat paint areas, px
    stroke_amp: float = 0.35  # stroke contrast
    stroke_length: int = 4  # stroke half-length along the edge tangent, px
    stroke_width: float = 1.0  # stroke breadth
    stroke_lines: float = 0.5  # dark ink outlines: 0 none, 1 black
    stroke_direction: float | None = None  # None: strokes follow the edges; degrees: all along it (0 = horizontal)
    stroke_contrast_floor: float | None = None  # None: strokes on edges; a grey level: in every textured area
    stroke_passes: int = 1  # Kuwahara passes: 2 or more merge regions into flat colour planes
    colour_strength: float = 1.0  # 0 = keep the photo's colours, 1 = the style's palette

    # loss details
    nce_patches: int = 64
    nce_temperature: float = 0.07
    lowfreq_factor: int = 8  # luminance is compared after average-pooling by this factor
    temporal_max_shift: float = 4.0  # px, largest displacement of the random smooth flow
    temporal_noise: float = 0.02
    diffaug_translation: float = 0.125  # fraction of the crop
    diffaug_cutout: float = 0.5  # cutout square side as a fraction of the crop; 0 = off

    # bookkeeping
    log_every: int = 10
    sample_every: int = 250
    checkpoint_every: int = 500
    val_photos: int = 6

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    def save(self, path: Path) -> None:
        path.write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise TrainingError(f"The training config has unknown settings: {', '.join(unknown)}.",
                                "It was probably written by a newer version; start a new run.")
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        return cls.from_dict(json.loads(text))

    @classmethod
    def load(cls, path: Path) -> TrainConfig:
        return cls.from_json(path.read_text(encoding="utf-8"))

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def loss_weights(self) -> dict[str, float]:
        """Weights of the generator's terms, by term name (without the `w_` prefix)."""
        return {f.name[2:]: getattr(self, f.name) for f in dataclasses.fields(self) if f.name.startswith("w_")}
