"""A per-folder painting-vs-photo patch critic, trained from scratch without any pretrained network.

The critic is a logistic regression on colour-invariant texture features of 64x64 grey patches
(`texture_features`). It is trained on patches of the style folder's images against photos from the
content *training* set (never the validation photos that evaluation stylizes), with nuisance
augmentation applied to both classes alike (rescaling, slight blur, sensor noise): sharpness and pixel
noise then carry no evidence of "painting", only stroke structure does.

Its ceiling comes from leave-one-out: one critic per fold, each trained without one style image
("piece") and scoring that image. A folder with a single image is split into four quadrants that play
the role of images. Every probability that the texture gain uses is the average over these same fold
critics, so stylized outputs, photos and held-out paintings are measured with one ruler.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.evaluation.logistic import LogisticModel, fit_logistic
from vst_desktop.evaluation.media import image_files, read_image, resize_long_side
from vst_desktop.evaluation.texture_features import PATCH, WORKING_LONG_SIDE, patch_features

log = logging.getLogger(__name__)

CRITIC_VERSION = 1  # bump when features or training change: old caches are then ignored
STYLE_SCALES = (1.0, 0.8, 0.6)
PHOTO_SCALES = (1.0, 0.7)
L2 = 1e-2


def working_image(img: np.ndarray) -> np.ndarray:
    """Downscale to the working size; never upscale (an upscaled small drawing has no fine texture)."""
    long_side = max(img.shape[:2])
    return resize_long_side(img, min(WORKING_LONG_SIDE, long_side)) if long_side > WORKING_LONG_SIDE else img


def _nuisance(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Applied to paintings and photos alike so that blur and noise are not what separates them."""
    r = rng.random()
    if r < 1 / 3:
        return img
    if r < 2 / 3:
        return cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.5))
    return np.clip(img + rng.normal(0.0, rng.uniform(3.0, 20.0), img.shape), 0, 255).astype(np.uint8)


def augmented_views(img: np.ndarray, scales: tuple[float, ...], reps: int, rng: np.random.Generator):
    """Yield (image, patch-grid offset): the image at each scale (skipping scales too small for a patch),
    `reps` times each with a random nuisance and a random grid offset, so a classifier learns marks, not
    one sharpness, noise level or patch phase."""
    for s in scales:
        im = img if s == 1.0 else cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        if min(im.shape[:2]) < PATCH:
            continue
        for _ in range(reps):
            offset = (int(rng.integers(0, PATCH // 4)) * 4, int(rng.integers(0, PATCH // 4)) * 4)
            yield _nuisance(im, rng), offset


def _augmented_features(img: np.ndarray, scales: tuple[float, ...], reps: int,
                        rng: np.random.Generator) -> np.ndarray:
    rows = [patch_features(view, offset) for view, offset in augmented_views(img, scales, reps, rng)]
    return np.concatenate(rows) if rows else np.zeros((0, 1), np.float32)


def _pieces(images: list[np.ndarray]) -> tuple[list[np.ndarray], str]:
    """The units held out one at a time: the images, or a single image's quadrants."""
    if len(images) >= 2:
        return images, "leave-one-image-out"
    img = images[0]
    h, w = img.shape[:2]
    quads = [img[: h // 2, : w // 2], img[: h // 2, w // 2:], img[h // 2:, : w // 2], img[h // 2:, w // 2:]]
    return quads, "leave-one-quadrant-out (single-image folder)"


def image_features(images: list[np.ndarray]) -> list[np.ndarray]:
    """Patch features of each image at the working size (images smaller than a patch are skipped)."""
    feats = [patch_features(working_image(img)) for img in images]
    feats = [f for f in feats if len(f)]
    if not feats:
        raise ValueError(f"all images are smaller than the {PATCH}px patch")
    return feats


def mean_proba(model: LogisticModel, feats: list[np.ndarray]) -> float:
    """Mean per-patch probability of "painting", each image weighted equally."""
    return float(np.mean([model.proba(f).mean() for f in feats]))


@dataclass
class StyleCritic:
    folder: str
    method: str
    folds: list[LogisticModel]
    heldout_proba: list[float]  # fold i's critic on the piece it did not see
    piece_names: list[str]
    info: dict = field(default_factory=dict)

    def fold_probas(self, images: list[np.ndarray]) -> list[float]:
        feats = image_features(images)  # once: the features do not depend on the fold
        return [mean_proba(m, feats) for m in self.folds]

    @property
    def heldout_mean(self) -> float:
        return float(np.mean(self.heldout_proba))

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {}
        for i, m in enumerate(self.folds):
            arrays.update(m.to_arrays(f"f{i}_"))
        meta = {"folder": self.folder, "method": self.method, "heldout_proba": self.heldout_proba,
                "piece_names": self.piece_names, "info": self.info, "n_folds": len(self.folds)}
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")  # several processes may train the same critic
        np.savez(tmp, **arrays)
        tmp.replace(path)  # atomic: a crash never leaves a half-written cache

    @classmethod
    def load(cls, path: Path) -> StyleCritic:
        with np.load(path) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            folds = [LogisticModel.from_arrays(z, f"f{i}_") for i in range(meta["n_folds"])]
        return cls(meta["folder"], meta["method"], folds, meta["heldout_proba"], meta["piece_names"],
                   meta["info"])


def _cache_key(style_files: list[Path], photo_files: list[Path], seed: int, max_photo_patches: int) -> str:
    h = hashlib.sha1(f"v{CRITIC_VERSION}|{seed}|{max_photo_patches}".encode())
    for p in style_files + photo_files:
        st = p.stat()
        h.update(f"{p.name}|{st.st_size}|{int(st.st_mtime)}".encode())
    return h.hexdigest()[:16]


def train_critic(style_folder: str | Path, photos_dir: str | Path, seed: int = 0,
                 max_photo_patches: int = 4000, photo_limit: int | None = None,
                 cache_dir: str | Path | None = None) -> StyleCritic:
    """Train (or load from `cache_dir`) the fold critics for one style folder. Deterministic for a seed."""
    style_files = image_files(style_folder)
    photo_files = image_files(photos_dir)[:photo_limit]
    if not style_files:
        raise ValueError(f"no images in {style_folder}")
    cache_path = None
    if cache_dir is not None:
        cache_dir = Path(cache_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        key = _cache_key(style_files, photo_files, seed, max_photo_patches)
        cache_path = cache_dir / f"critic_{Path(style_folder).name}_{key}.npz"
        if cache_path.is_file():
            try:
                return StyleCritic.load(cache_path)
            except (OSError, KeyError, ValueError) as exc:  # a damaged cache is rebuilt, not fatal
                log.warning("ignoring unreadable critic cache %s: %s", cache_path, exc)

    rng = np.random.default_rng(seed)
    styles = [working_image(read_image(p)) for p in style_files]
    pieces, method = _pieces(styles)
    names = [p.name for p in style_files] if len(styles) >= 2 else [f"quadrant {i}" for i in range(4)]
    piece_train = [_augmented_features(p, STYLE_SCALES, 2, rng) for p in pieces]
    piece_heldout = [patch_features(p) for p in pieces]
    photo = np.concatenate([_augmented_features(working_image(read_image(p)), PHOTO_SCALES, 1, rng)
                            for p in photo_files])
    photo = photo[rng.permutation(len(photo))[:max_photo_patches]]

    folds, heldout = [], []
    for i in range(len(pieces)):
        pos = np.concatenate([f for j, f in enumerate(piece_train) if j != i and len(f)])
        model = fit_logistic(pos, photo, l2=L2)
        folds.append(model)
        heldout.append(float(model.proba(piece_heldout[i]).mean()) if len(piece_heldout[i]) else float("nan"))
    keep = [i for i, p in enumerate(heldout) if np.isfinite(p)]  # a piece smaller than a patch cannot be scored
    critic = StyleCritic(str(style_folder), method, [folds[i] for i in keep], [heldout[i] for i in keep],
                         [names[i] for i in keep],
                         {"style_patches": int(sum(len(f) for f in piece_train)), "photo_patches": int(len(photo)),
                          "photos": len(photo_files), "seed": seed})
    if cache_path is not None:
        critic.save(cache_path)
    return critic
