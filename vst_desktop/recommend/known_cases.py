"""The known cases the recommendations are validated on: a built-in style and the folder of paintings it
was trained from (its JSON's `training.config.styles_dir`). Used by research/experiments/recommend_validation.py and
the tests; a painting from a style's own folder should rank that style first."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from vst_desktop.core import paths
from vst_desktop.recommend.embedding import Embedding
from vst_desktop.recommend.ranking import rank


def own_folders(packages) -> dict[str, Path]:
    """{style id: the shared-data folder it was trained from}, for styles whose folder exists here."""
    shared = paths.shared_data_dir()
    out = {}
    for p in packages:
        training = p.meta.training if isinstance(p.meta.training, dict) else {}
        cfg = training.get("config", {})
        d = cfg.get("styles_dir") if isinstance(cfg, dict) else None
        if not d:
            continue
        folder = Path(d)
        if not folder.is_dir() and shared is not None:
            folder = shared / "styles" / folder.name  # the JSON may name another checkout's path
        if folder.is_dir():
            out[p.id] = folder
    return out


def evaluate(styles: Mapping[str, Embedding], paintings: Mapping[str, list[tuple[str, Embedding]]],
             weights: Mapping[str, float] | None = None) -> dict:
    """Per style the (painting, rank of its own style, top style) rows; `styles_top1`: styles ranked first
    by a strict majority of their paintings; `paintings_top1`: paintings whose own style ranks first."""
    table = {}
    for sid, items in paintings.items():
        rows = []
        for name, emb in items:
            order = [r.style_id for r in rank(emb, styles, weights=weights)]
            rows.append((name, order.index(sid) + 1, order[0]))
        table[sid] = rows
    return {"table": table,
            "styles_top1": sum(1 for r in table.values() if sum(x[1] == 1 for x in r) * 2 > len(r)),
            "styles_half_top1": sum(1 for r in table.values() if sum(x[1] == 1 for x in r) * 2 >= len(r)),
            "paintings_top1": sum(x[1] == 1 for r in table.values() for x in r),
            "paintings": sum(len(r) for r in table.values())}
