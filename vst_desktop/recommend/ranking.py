"""Rankings over the installed styles: by closeness to one style ("More like this"), to a picture
("match"), and to what the user used most ("For you").

Distances are a weighted sum over feature blocks of the Euclidean distance, each block divided by its
spread over the installed styles, so a block with many dimensions or a large range does not drown the
others. The weights were chosen by measurement (research/experiments/recommend_validation.py): pictures taken from a
built-in style's own training folder must rank that style first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vst_desktop.core.errors import SourceError
from vst_desktop.core.images import IMAGE_SUFFIXES
from vst_desktop.evaluation.media import read_image
from vst_desktop.recommend.embedding import Embedding
from vst_desktop.recommend.features import BLOCK_NAMES, blocks

# Chosen on the 9 built-in painted styles' folders by a search over {0, .5, 1, 2, 4} per block
# (research/experiments/recommend_validation.py --ablate): equal weights rank the own style first for 4 of 9 styles,
# these for 6 of 9 (in-sample: the same paintings chose them). High-pass energy and edge density carry
# the marks, the Lab histograms and colour statistics the palette.
WEIGHTS: dict[str, float] = {"lab_ab": 2.0, "lab_l": 2.0, "hue": 0.5, "sat": 2.0, "colour_stats": 2.0,
                             "orientation": 0.5, "hp_energy": 4.0, "edges": 2.0, "local_contrast": 0.5,
                             "gabor": 2.0}
MIN_SIDE = 32


@dataclass(frozen=True)
class Ranked:
    style_id: str
    distance: float


def block_scales(embeddings: Sequence[Embedding]) -> dict[str, float]:
    """Per block, the mean distance of the styles to their centroid (1 with fewer than 2 styles)."""
    out = {}
    for k in BLOCK_NAMES:
        if len(embeddings) < 2:
            out[k] = 1.0
            continue
        m = np.stack([e[k] for e in embeddings])
        spread = float(np.linalg.norm(m - m.mean(axis=0), axis=1).mean())
        out[k] = spread if spread > 1e-9 else 1.0
    return out


def distance(a: Embedding, b: Embedding, scales: Mapping[str, float],
             weights: Mapping[str, float] | None = None) -> float:
    w = WEIGHTS if weights is None else weights
    return float(sum(w.get(k, 0.0) * np.linalg.norm(a[k] - b[k]) / scales[k] for k in BLOCK_NAMES))


def rank(query: Embedding, styles: Mapping[str, Embedding], exclude: set[str] | None = None,
         weights: Mapping[str, float] | None = None) -> list[Ranked]:
    """Styles nearest to `query` first."""
    scales = block_scales(list(styles.values()))
    out = [Ranked(sid, distance(query, emb, scales, weights)) for sid, emb in styles.items()
           if not exclude or sid not in exclude]
    return sorted(out, key=lambda r: (r.distance, r.style_id))


def similar(style_id: str, styles: Mapping[str, Embedding]) -> list[Ranked]:
    """The other styles, nearest to `style_id` first."""
    return rank(styles[style_id], styles, exclude={style_id})


def picture_embedding(bgr: np.ndarray) -> Embedding:
    """A picture's own look in the styles' feature space (a painting is compared with style outputs)."""
    return blocks(bgr)


def load_picture(path: str | Path) -> np.ndarray:
    """Read a picture to match; a clear SourceError (exit 2 on the command line) when it cannot be used."""
    p = Path(path)
    if not p.is_file():
        raise SourceError(f"The picture {p} does not exist.", "Give the path of an image file (JPEG, PNG, ...).")
    if p.suffix.lower() not in IMAGE_SUFFIXES:
        raise SourceError(f"{p.name} is not an image this app reads ({p.suffix or 'no extension'}).",
                          f"Give one of: {', '.join(sorted(IMAGE_SUFFIXES))}.")
    img = read_image(p)
    if min(img.shape[:2]) < MIN_SIDE:
        raise SourceError(f"The picture {p.name} is too small ({img.shape[1]}x{img.shape[0]}) to judge its look.",
                          f"Give a picture at least {MIN_SIDE} pixels on each side.")
    return img


def match(bgr: np.ndarray, styles: Mapping[str, Embedding]) -> list[Ranked]:
    return rank(picture_embedding(bgr), styles)


def for_you(use_weights: Mapping[str, float], styles: Mapping[str, Embedding], limit: int = 3) -> list[Ranked]:
    """Styles not tried yet, nearest to the ones used most (each used style weighted by its use)."""
    used = {sid: w for sid, w in use_weights.items() if sid in styles and w > 0}
    if not used:
        return []
    scales = block_scales(list(styles.values()))
    total = sum(used.values())
    out = []
    for sid, emb in styles.items():
        if sid in use_weights:
            continue
        d = sum(w * distance(styles[u], emb, scales) for u, w in used.items()) / total
        out.append(Ranked(sid, d))
    return sorted(out, key=lambda r: (r.distance, r.style_id))[:limit]


def for_library(library, action: str, target: str, cache=None) -> tuple[list, list[Ranked]]:
    """(installed packages, ranking) for `styles similar ID` / `styles match IMAGE`; a bad target raises
    a VstError (unknown id: StyleError from the library; a bad picture: SourceError) before any work."""
    from vst_desktop.recommend.embedding import embeddings_for

    if action == "similar":
        own = library.get(target)  # an unknown id fails here, with the library's own message
        packages = library.list()
        styles = embeddings_for(packages + ([own] if own not in packages else []), cache)
        return packages, similar(target, styles) if target in styles else []
    img = load_picture(target)
    packages = library.list()
    return packages, match(img, embeddings_for(packages, cache))
