"""One config object per training run (as in nanoGPT and CUT): saved as `config.json` in the run folder and
inside every checkpoint, so a run can always be reproduced or resumed from its own files.

Loss weights are named `w_<term>`; a term whose weight is 0 is not even computed. Torch-free: the GUI reads
the same names, defaults and ranges as the engine.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from vst_desktop.core.errors import TrainingError
from vst_desktop.styles.package import MAX_NAME, has_unprintable

# The text settings with a fixed set of values. The engine builds each: training/models.py GENERATOR_SIZES
# (one spec per generator name), training/texture/marks.py (one teacher per mark family).
RECIPES = ("painted", "gan")
GENERATORS = ("fast", "quality", "painter")
D_INPUTS = ("rgb", "highpass")
CANVAS_FORMS = ("blobs", "strokes", "strokes_multi", "bands", "cells", "hatching", "painting", "painting_marks")  # training/texture/analogy.py (`canvas_tile`)
CANVAS_GAINS = ("", "pixel", "smooth")  # training/models.py (GeneratorSpec.canvas_gain)
MARK_FAMILIES = ("strokes", "dabs", "planes", "analogy")
DEVICES = ("auto", "cpu", "cuda")


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
    generator: str = "fast"  # GENERATORS
    d_width: int = 32
    d_scales: int = 2
    # what the discriminator judges: "rgb" the picture, "highpass" its grey high-pass (the marks alone,
    # for the painted recipe, whose colours are already exact)
    d_input: str = "rgb"

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
    # a from-scratch classifier of the painters' grey patches (training/painter.py) charges marks that are
    # not this folder's; it learns the other painters from the folders in painter_reference
    w_painter: float = 0.0
    painter_reference: str = ""  # a folder of painters' folders; "" = none: the own folder against photos only
    painter_steps: int = 3000  # the classifier's training steps (about 2.5 min on one CPU core)
    painter_nets: int = 1  # classifiers of other seeds averaged: a pattern must fool every one of them
    # > 0: the classifiers keep learning during the run at this rate, with the run's output as a class of its own
    painter_online_lr: float = 0.0
    w_edges: float = 0.0  # L1 between output and photo edge maps where the photo has contours (keeps faces)

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
    # marks "analogy": the marks are copied from the folder's own paintings (training/texture/analogy.py)
    analogy_patch: int = 16  # px: the painting patches laid over the photo (multiple of 4)
    # px: the photo's low-pass that the paintings' detail is laid over (0: patch / 4, the recipe's default);
    # apart from the patch so that small patches can keep a wide low-pass (analogy_marks.md, round 11)
    analogy_low_sigma: float = 0.0
    analogy_keep: float = 0.6  # how much of the photo's own detail stays under the painting's (> 1 sharpens it)
    analogy_canvas: float = 0.5  # the canvas's weight in flat areas' matching (marks on a plain wall)
    analogy_canvas_form: str = "blobs"  # the canvas: one of CANVAS_FORMS (analogy.canvas_tile)
    # px: the canvas tile's side. The canvas repeats at this period, so its marks on a plain wall form a
    # wallpaper whose repeats the eye finds: 2.5 across a 640 px frame at 256, 5 at 128
    analogy_canvas_period: int = 128
    # px: the blocks "painting_marks" quilts its tile from: marks larger than a block come back broken,
    # objects larger than one do not come back whole
    analogy_canvas_block: int = 32
    # px: > 0, "painting_marks" quilts from one crop of the paintings of this side (the crop the "painting"
    # canvas of this period cuts): its marks, without its repeat every `side` px; 0: from all the paintings
    analogy_canvas_exemplar: int = 0
    analogy_detail: float = 1.0  # the painting's detail laid on
    # how far the canvas gives way where the photo has structure of its own (eyes, mouth, contours): 0 = the
    # same weight everywhere; 1 = half weight where the photo is as structured as a typical painting patch
    analogy_canvas_flat: float = 0.0
    # the generator adds the canvas itself at full resolution, times a gain it predicts per pixel and colour
    # ("pixel": written by the head per pixel; "smooth": from the network's body at 1/4 resolution; "": none)
    analogy_canvas_gain: str = ""
    # flat areas get the teacher's own painting of a flat wall (fixed, so learnable) instead of a fresh match;
    # the generator carries that wall and adds it with its gain (implies analogy_canvas_gain "pixel" unless set)
    analogy_canvas_wall: bool = False
    analogy_wall_gain: float = 1.0  # the painted wall's contrast (dense marks there cost content edge SSIM)
    # the window (sigma, in patches) over which analogy_canvas_flat measures structure: wider than a face
    # keeps the canvas off the cheeks (the eyes and mouth are near) while a plain wall stays flat
    analogy_flat_window: float = 0.25
    # the marks go on flat planes: the generator's soft Kuwahara (fixed_stages.FlattenStage) at half resolution with
    # this radius (0: off), applied analogy_flatten_passes times; the photo's own fine structure is what the
    # identifier reads as "a photo under texture" (docs/research/painter_guide.md, round 15)
    analogy_flatten: int = 0
    analogy_flatten_passes: int = 2
    analogy_flatten_sigma: float = 0.0  # > 0: Gaussian-weighted sectors (rounded planes); 0: box sectors (blocks)
    # dark lines along the painted picture's borders (fixed_stages.LeadStage), this dark (0: none): drawn on the
    # teacher's marks and built into the generator, as the planes are
    analogy_lead: float = 0.0

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

    def check(self) -> None:
        """Raise a TrainingError naming every value of the wrong type or out of range (before any work:
        a bad value would otherwise fail minutes later, deep in the loop, with a run folder half made)."""
        problems = config_problems(self)
        if problems:
            raise TrainingError(f"The training settings are not usable: {'; '.join(problems)}.",
                                "Change those values (--set KEY=VALUE) and start again.")


# ---- checking values: the type comes from the field's annotation, the range from RANGES ----

FIELD_KINDS = {f.name: f.type for f in dataclasses.fields(TrainConfig)}  # "int", "float | None", ...
_KIND_WORDS = {"str": "text", "bool": "true or false", "int": "a whole number", "float": "a number",
               "float | None": "a number or null", "list[float]": "a list of numbers such as [0.5, 1.0]"}

INF = math.inf
# name -> (low, high): numbers must lie in [low, high]; a list's items too. Why each bound: a size, a count or
# a step interval of 0 breaks the loop (division, modulo, empty batches); probabilities, fractions and decays
# are 0..1; loss weights and noise amounts are not negative; the upper bounds are far past any useful value
# and keep memory and time finite.
RANGES: dict[str, tuple[float, float]] = {
    "d_width": (1, 1024), "d_scales": (1, 3), "iterations": (1, 10**9), "batch_size": (1, 1024),
    "crop_size": (32, 1024), "scale_jitter": (0.01, 4.0), "paired_scale_jitter": (0.01, 4.0),
    "max_image_side": (32, 16384), "lr_g": (1e-9, 1.0), "lr_d": (1e-9, 1.0), "betas": (0.0, 0.9999),
    "lr_decay_start": (0.0, 1.0), "ema_decay": (0.0, 1.0), "seed": (0, 2**32 - 1), "threads": (0, 1024),
    **{f: (0.0, 1e6) for f in FIELD_KINDS if f.startswith("w_")},
    "stroke_radius": (1, 64), "stroke_amp": (0.0, 100.0), "stroke_length": (1, 256),
    "stroke_width": (0.01, 100.0), "stroke_lines": (0.0, 1.0), "stroke_direction": (-3600.0, 3600.0),
    "stroke_contrast_floor": (1e-4, 1.0), "stroke_passes": (1, 16), "colour_strength": (0.0, 1.0),
    "analogy_patch": (4, 64), "analogy_keep": (0.0, 2.0), "analogy_canvas": (0.0, 10.0), "analogy_detail": (0.0, 4.0),
    "analogy_canvas_flat": (0.0, 100.0), "analogy_wall_gain": (0.0, 4.0),
    "analogy_canvas_period": (16, 512),  # 512: the long side the teacher brings the paintings to
    "analogy_canvas_block": (16, 128),
    "analogy_canvas_exemplar": (0, 512),
    "analogy_flat_window": (0.05, 8.0), "analogy_low_sigma": (0.0, 64.0),
    "analogy_flatten": (0, 8), "analogy_flatten_passes": (1, 8),
    "analogy_flatten_sigma": (0.0, 8.0), "analogy_lead": (0.0, 1.0), "painter_steps": (1, 10**6),
    "painter_nets": (1, 8), "painter_online_lr": (0.0, 1.0),
    "nce_patches": (1, 65536), "nce_temperature": (1e-4, 100.0), "lowfreq_factor": (1, 1024),
    "temporal_max_shift": (0.0, 1024.0), "temporal_noise": (0.0, 1.0), "diffaug_translation": (0.0, 1.0),
    "diffaug_cutout": (0.0, 1.0), "log_every": (1, 10**9), "sample_every": (1, 10**9),
    "checkpoint_every": (1, 10**9), "val_photos": (1, 1000),
}
PAIRS = ("scale_jitter", "paired_scale_jitter", "betas")  # [low, high] pairs


def _choices() -> dict[str, tuple[str, ...]]:
    """Text settings with a fixed set of values."""
    from vst_desktop.trainspec.presets import PRESETS  # presets builds on this module

    return {"preset": tuple(PRESETS), "recipe": RECIPES, "generator": GENERATORS,
            "marks": ("auto", *MARK_FAMILIES), "device": DEVICES, "d_input": D_INPUTS,
            "analogy_canvas_form": CANVAS_FORMS, "analogy_canvas_gain": CANVAS_GAINS}


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def coerce(name: str, value: object) -> object:
    """`value` as field `name` holds it (an int is a float where a float is wanted); ValueError if its type
    does not fit. Range is checked separately (config_problems)."""
    kind = FIELD_KINDS[name]
    if kind == "float | None" and value is None:
        return None
    if kind in ("float", "float | None") and _is_number(value):
        return float(value)
    if kind == "int" and _is_number(value) and float(value).is_integer():
        return int(value)  # 128.0 is 128
    if kind == "list[float]" and isinstance(value, list | tuple) and all(_is_number(v) for v in value):
        return [float(v) for v in value]
    if (kind == "str" and isinstance(value, str)) or (kind == "bool" and isinstance(value, bool)):
        return value
    raise ValueError(f"{name} must be {_KIND_WORDS.get(kind, kind)}, not {value!r}")


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def _range_problem(name: str, value: object) -> str | None:
    if FIELD_KINDS[name] in ("str", "bool"):
        return None
    if name in PAIRS and len(value) != 2:
        return f"{name} must be two numbers [low, high], not {value!r}"
    low, high = RANGES.get(name, (-INF, INF))
    numbers = value if isinstance(value, list) else [] if value is None else [value]
    for v in numbers:
        if not math.isfinite(v) or not low <= v <= high:
            return f"{name}={value!r} is out of range: it must be from {_fmt(low)} to {_fmt(high)}"
    if name in PAIRS and value[0] > value[1]:
        return f"{name}={value!r}: the first number must not be larger than the second"
    return None


def config_problems(config: TrainConfig) -> list[str]:
    """Every value of the wrong type or out of range, in words; [] when the config is usable."""
    problems = []
    choices = _choices()
    for name in FIELD_KINDS:
        value = getattr(config, name)
        try:
            value = coerce(name, value)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        problem = _range_problem(name, value)
        if problem is None and name in choices and value not in choices[name]:
            problem = f"{name}={value!r} is not one of {', '.join(choices[name])}"
        if problem:
            problems.append(problem)
    name = config.name.strip()
    if len(name) > MAX_NAME or has_unprintable(name):  # the style package would refuse it after training
        problems.append(f"name must be plain text of at most {MAX_NAME} characters, not {ascii(name[:40])}"
                        + ("..." if len(name) > 40 else ""))
    if not problems and config.crop_size % 4:
        problems.append(f"crop_size={config.crop_size} must be a multiple of 4 (the generator halves it twice)")
    if not problems and config.analogy_patch % 4:
        problems.append(f"analogy_patch={config.analogy_patch} must be a multiple of 4 (it is matched on a 4x4 grid)")
    if not problems and config.lowfreq_factor > config.crop_size:
        problems.append(f"lowfreq_factor={config.lowfreq_factor} must not be larger than crop_size")
    return problems


def parse_setting(item: str, flag: str = "--set") -> tuple[str, object]:
    """One `--set KEY=VALUE`: the field name and its value read for that field's type. Numbers, lists,
    true/false and null are read as JSON; text is taken as written. A TrainingError says what is wrong
    (`flag`: the option the value came from, for the message)."""
    key, sep, raw = item.partition("=")
    key = key.strip()
    shown = f"--set {item!r}" if flag == "--set" else f"{flag} {raw!r}"
    if not sep:
        raise TrainingError(f"--set {item!r} is not KEY=VALUE.", "For example: --set crop_size=128")
    if key not in FIELD_KINDS:
        close = difflib.get_close_matches(key, list(FIELD_KINDS), n=4, cutoff=0.6)
        hint = (f"Did you mean {' or '.join(close)}?" if close else
                "The names are those in a run's config.json, for example crop_size, batch_size or w_temporal.")
        raise TrainingError(f"--set {item!r}: there is no training setting named {key!r}.", hint)
    kind = FIELD_KINDS[key]
    value: object = raw
    if kind == "bool" and raw.strip().lower() in ("true", "false"):
        value = raw.strip().lower() == "true"
    elif kind == "float | None" and raw.strip().lower() in ("null", "none", ""):
        value = None
    elif kind != "str":
        try:
            value = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            pass  # kept as text: coerce says which kind of value is wanted
    elif raw.startswith('"'):
        try:
            value = str(json.loads(raw))  # a JSON string, as earlier versions accepted
        except (json.JSONDecodeError, RecursionError):
            pass
    try:
        return key, coerce(key, value)
    except ValueError as exc:
        raise TrainingError(f"{shown}: {exc}.", _example_hint(key, flag)) from None


def _example_hint(key: str, flag: str) -> str:
    default = json.dumps(getattr(TrainConfig(), key))
    low, high = RANGES.get(key, (None, None))
    each = "each number " if key in PAIRS else ""
    where = f" ({each}from {_fmt(low)} to {_fmt(high)})" if low is not None else ""
    example = f"--set {key}={default}" if flag == "--set" else f"{flag} {default}"
    return f"For example {example}{where}."


def default_name(styles_dir: str | Path) -> str:
    """The style name for a folder when none is given: its name in title case, cut to what a style package
    accepts (a folder may be called anything)."""
    name = Path(styles_dir).resolve().name.replace("_", " ").replace("-", " ").strip().title()
    name = "".join(c for c in name if not has_unprintable(c))
    return name[:MAX_NAME].strip() or "My style"
