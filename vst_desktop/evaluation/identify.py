"""Style identification: which of the given style folders (or "photo") a picture's marks come from.

One multinomial logistic regression (`softmax.py`) is trained from scratch on patches of every given
style folder plus photos of the content *training* set (the "photo" class), with the critic's nuisance
augmentation on every class alike (rescaling, slight blur, sensor noise), so that sharpness and noise do
not decide. Two modes: `grey` sees only the grey patch through colour-invariant features (marks only);
`colour` adds the patch's Lab statistics.

For a set of pictures a style's score is `p_own`, the mean probability of its own folder (per picture
the mean over its patches, then the mean over pictures), and `top1`, the class with the highest mean
probability. Perfectly flat patches (a flat colour field) count as no evidence: uniform probability.

The ceiling is leave-one-image-out, as for the critic: per piece of a folder one classifier trained
without that piece scores it; a folder with one image is cut into four quadrants that play the images.
Stylized outputs are scored by the classifier trained on everything.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from vst_desktop.evaluation import identify_features as idf
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.softmax import SoftmaxModel, fit_softmax
from vst_desktop.evaluation.style_critic import _pieces, augmented_views, working_image
from vst_desktop.evaluation.texture_features import PATCH

log = logging.getLogger(__name__)

IDENTIFY_VERSION = 1  # bump when features or training change: old caches are then ignored
PHOTO = "photo"
MODES = ("grey", "colour")
DEFAULT_GREY_SET = "marks"  # chosen by leave-one-image-out on the paintings (docs/research/identification.md)
STYLE_SCALES = (1.0, 0.8, 0.6)
PHOTO_SCALES = (1.0, 0.7)


@dataclass(frozen=True)
class IdentifyConfig:
    mode: str = "grey"
    grey_set: str = DEFAULT_GREY_SET
    reps: int = 2  # augmented copies per style piece and scale (random tile offsets)
    max_photo_patches: int = 4000
    photo_limit: int | None = None
    seed: int = 0
    l2: float = 1e-3

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown identification mode {self.mode!r} (one of {MODES})")


@dataclass
class TrainingSet:
    """Augmented features per folder and piece (for training and folds), plain ones for held-out scoring."""
    folders: list[str]
    pieces: list[list[np.ndarray]]
    heldout: list[list[np.ndarray]]
    heldout_flat: list[list[np.ndarray]]
    piece_names: list[list[str]]
    methods: list[str]
    photo: np.ndarray

    def select(self, n: int) -> TrainingSet:
        """The first `n` feature columns (the grey ones come first)."""
        cut = lambda ll: [[a[:, :n] for a in row] for row in ll]  # noqa: E731
        return TrainingSet(self.folders, cut(self.pieces), cut(self.heldout), self.heldout_flat, self.piece_names,
                           self.methods, self.photo[:, :n])


def _feats(img: np.ndarray, cfg: IdentifyConfig, offset: tuple[int, int] = (0, 0), colour: bool | None = None) -> np.ndarray:
    return idf.features(img, cfg.grey_set, cfg.mode == "colour" if colour is None else colour, offset)


def _augmented(img: np.ndarray, scales: tuple[float, ...], reps: int, cfg: IdentifyConfig,
               rng: np.random.Generator) -> np.ndarray:
    rows = []
    for view, offset in augmented_views(img, scales, reps, rng):
        keep = ~idf.flat_patches(view, offset)  # flat patches are no evidence: not trained on
        rows.append(_feats(view, cfg, offset, colour=True)[keep])
    return np.concatenate(rows) if rows else np.zeros((0, idf.count(cfg.grey_set, True)), np.float32)


def build_training_set(style_folders: list[Path], photo_files: list[Path], cfg: IdentifyConfig) -> TrainingSet:
    """Features with the colour columns whatever the mode (`select` drops them): one pass serves both modes,
    and the random draws do not depend on the mode."""
    rng = np.random.default_rng(cfg.seed)
    pieces, heldout, flat, names, methods = [], [], [], [], []
    for folder in style_folders:
        files = image_files(folder)
        if not files:
            raise ValueError(f"no images in {folder}")
        imgs = [working_image(read_image(p)) for p in files]
        parts, method = _pieces(imgs)
        pieces.append([_augmented(p, STYLE_SCALES, cfg.reps, cfg, rng) for p in parts])
        heldout.append([_feats(p, cfg, colour=True) for p in parts])
        flat.append([idf.flat_patches(p) for p in parts])
        names.append([p.name for p in files] if len(imgs) >= 2 else [f"quadrant {i}" for i in range(4)])
        methods.append(method)
    photo = np.concatenate([_augmented(working_image(read_image(p)), PHOTO_SCALES, 1, cfg, rng)
                            for p in photo_files])
    photo = photo[rng.permutation(len(photo))[: cfg.max_photo_patches]]
    return TrainingSet([Path(f).name for f in style_folders], pieces, heldout, flat, names, methods, photo)


def _fit(data: TrainingSet, cfg: IdentifyConfig, leave_out: tuple[int, int] | None = None) -> SoftmaxModel:
    xs, ys = [], []
    for c, folder_pieces in enumerate(data.pieces):
        for i, f in enumerate(folder_pieces):
            if (c, i) != leave_out and len(f):
                xs.append(f)
                ys.append(np.full(len(f), c))
    xs.append(data.photo)
    ys.append(np.full(len(data.photo), len(data.pieces)))
    return fit_softmax(np.concatenate(xs), np.concatenate(ys), len(data.pieces) + 1, l2=cfg.l2)


def patch_proba(model: SoftmaxModel, feats: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """Per-patch class probabilities; flat patches get the uniform distribution (no evidence)."""
    p = model.proba(feats) if len(feats) else np.zeros((0, model.bias.shape[0]))
    p[flat] = 1.0 / p.shape[1]
    return p


def summarise(classes: list[str], probas: list[np.ndarray], own: str | None) -> dict:
    """p_own and top-1 from per-picture mean probability vectors (each picture weighted equally)."""
    mean = np.mean(probas, axis=0)
    top = int(np.argmax(mean))
    tied = np.sum(mean >= mean[top] - 1e-9) > 1  # e.g. only flat patches: no evidence names no class
    out = {"top1": None if tied else classes[top], "p_top1": round(float(mean[top]), 4),
           "proba": {c: round(float(p), 4) for c, p in zip(classes, mean, strict=True)}, "count": len(probas)}
    if own is not None:
        out["p_own"] = round(float(mean[classes.index(own)]), 4)
        out["top1_is_own"] = out["top1"] == own
    return out


@dataclass
class Identifier:
    classes: list[str]  # the folders' names, then PHOTO
    config: IdentifyConfig
    model: SoftmaxModel
    info: dict = field(default_factory=dict)
    data: TrainingSet | None = None  # kept for the leave-one-out ceiling
    ceilings: dict[str, dict] = field(default_factory=dict)
    cache_path: Path | None = None

    def image_probas(self, images: list[np.ndarray]) -> list[np.ndarray]:
        """Per image (at the working size) the mean class probability over its patches."""
        out = []
        for img in images:
            img = working_image(img)
            if min(img.shape[:2]) < PATCH:
                continue
            out.append(patch_proba(self.model, _feats(img, self.config), idf.flat_patches(img)).mean(0))
        if not out:
            raise ValueError(f"all images are smaller than the {PATCH}px patch")
        return out

    def score(self, images: list[np.ndarray], own: str | None = None) -> dict:
        """{"p_own", "top1", "top1_is_own", "proba", ...} over `images`; `own` is a folder name."""
        if own is not None and own not in self.classes:
            raise ValueError(f"{own!r} is not one of the identifier's classes {self.classes}")
        return summarise(self.classes, self.image_probas(images), own)

    def ceiling(self, own: str) -> dict:
        """Leave-one-image-out on `own`'s paintings: p_own, top-1 and per piece. Trained once, then cached."""
        if own in self.ceilings:
            return self.ceilings[own]
        if self.data is None:
            raise ValueError("this identifier was loaded without its training features")
        c = self.data.folders.index(own)
        per_piece, probas = {}, []
        for i, name in enumerate(self.data.piece_names[c]):
            feats, flat = self.data.heldout[c][i], self.data.heldout_flat[c][i]
            if len(feats) == 0:
                continue  # a piece smaller than a patch cannot be scored
            p = patch_proba(_fit(self.data, self.config, leave_out=(c, i)), feats, flat).mean(0)
            probas.append(p)
            per_piece[name] = {"p_own": round(float(p[c]), 4), "top1": self.classes[int(np.argmax(p))]}
        result = summarise(self.classes, probas, own) | {"method": self.data.methods[c], "per_piece": per_piece}
        self.ceilings[own] = result
        if self.cache_path is not None:  # merged with what other processes may have added meanwhile
            side = self.cache_path.with_suffix(".ceilings.json")
            _write_json(side, {**_read_json(side), **self.ceilings})
        return result


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # absent or damaged: recomputed
        return {}


def _write_json(path: Path, obj: dict) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(obj), encoding="utf-8")
    tmp.replace(path)  # atomic: several processes may write the same cache


def _save(ident: Identifier, path: Path) -> None:
    d = ident.data
    arrays = ident.model.to_arrays("m_")
    for c, folder_pieces in enumerate(d.pieces):
        for i, f in enumerate(folder_pieces):
            arrays[f"p{c}_{i}"] = f
            arrays[f"h{c}_{i}"] = d.heldout[c][i]
            arrays[f"hf{c}_{i}"] = d.heldout_flat[c][i]
    arrays["photo"] = d.photo
    meta = {"classes": ident.classes, "config": asdict(ident.config), "info": ident.info, "folders": d.folders,
            "piece_names": d.piece_names, "methods": d.methods}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)


def _load(path: Path) -> Identifier:
    with np.load(path) as z:
        meta = json.loads(bytes(z["meta"]).decode())
        model = SoftmaxModel.from_arrays(z, "m_")
        names = meta["piece_names"]
        grab = lambda k: [[z[f"{k}{c}_{i}"] for i in range(len(n))] for c, n in enumerate(names)]  # noqa: E731
        data = TrainingSet(meta["folders"], grab("p"), grab("h"), grab("hf"), names, meta["methods"], z["photo"])
    ceilings = _read_json(path.with_suffix(".ceilings.json"))
    return Identifier(meta["classes"], IdentifyConfig(**meta["config"]), model, meta["info"], data, ceilings, path)


def _cache_key(style_folders: list[Path], photo_files: list[Path], cfg: IdentifyConfig) -> str:
    h = hashlib.sha1(f"v{IDENTIFY_VERSION}|{json.dumps(asdict(cfg), sort_keys=True)}".encode())
    for folder in style_folders:
        h.update(f"[{Path(folder).name}]".encode())
        for p in image_files(folder):
            st = p.stat()
            h.update(f"{p.name}|{st.st_size}|{int(st.st_mtime)}".encode())
    for p in photo_files:
        st = p.stat()
        h.update(f"{p.name}|{st.st_size}|{int(st.st_mtime)}".encode())
    return h.hexdigest()[:16]


def train_identifiers(style_folders: list[str | Path], photos_dir: str | Path, config: IdentifyConfig | None = None,
                      cache_dir: str | Path | None = None, modes: tuple[str, ...] = MODES) -> dict[str, Identifier]:
    """Train (or load from `cache_dir`) one identifier per mode over `style_folders` + photos; the modes share
    one pass of feature extraction. Deterministic for a seed."""
    base = config or IdentifyConfig()
    folders = [Path(f) for f in style_folders]
    names = [f.name for f in folders]
    if len(set(names)) != len(names) or PHOTO in names:
        raise ValueError(f"style folder names must be distinct and not {PHOTO!r}: {names}")
    photo_files = image_files(photos_dir)[: base.photo_limit]
    if not photo_files:
        raise ValueError(f"no photos in {photos_dir}")
    out: dict[str, Identifier] = {}
    paths: dict[str, Path | None] = {}
    for mode in modes:
        cfg = replace(base, mode=mode)
        paths[mode] = None
        if cache_dir is not None:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            paths[mode] = Path(cache_dir) / f"identify_{mode}_{_cache_key(folders, photo_files, cfg)}.npz"
            if paths[mode].is_file():
                try:
                    out[mode] = _load(paths[mode])
                except (OSError, KeyError, ValueError, TypeError) as exc:  # a damaged cache is rebuilt, not fatal
                    log.warning("ignoring unreadable identifier cache %s: %s", paths[mode], exc)
    missing = [m for m in modes if m not in out]
    if missing:
        full = build_training_set(folders, photo_files, base)
        for mode in missing:
            cfg = replace(base, mode=mode)
            data = full.select(idf.count(cfg.grey_set, mode == "colour"))
            info = {"style_patches": {n: int(sum(len(f) for f in p)) for n, p in zip(names, data.pieces, strict=True)},
                    "photo_patches": int(len(data.photo)), "photos": len(photo_files)}
            out[mode] = Identifier(names + [PHOTO], cfg, _fit(data, cfg), info, data, {}, paths[mode])
            if paths[mode] is not None:
                _save(out[mode], paths[mode])
    return {m: out[m] for m in modes}


def train_identifier(style_folders: list[str | Path], photos_dir: str | Path, config: IdentifyConfig | None = None,
                     cache_dir: str | Path | None = None) -> Identifier:
    """One identifier, in `config.mode`."""
    cfg = config or IdentifyConfig()
    return train_identifiers(style_folders, photos_dir, cfg, cache_dir, (cfg.mode,))[cfg.mode]
