"""A style package: `<id>.onnx`, `<id>.json` (the `StyleMeta` below) and `<id>.png`; the contract is in
docs/architecture.md, "Style packages"."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from vst_desktop.core.errors import StyleError

SCHEMA = 1
KINDS = ("gan", "filter")
# Ids become file names on every platform: keep them to plain ASCII without separators.
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_KNOWN = {"schema", "id", "name", "description", "kind", "license", "sources", "training", "metrics",
          "inference_size", "hidden"}
# The gallery shows the name on one line and the description as a tooltip: bounded, and without
# control characters (terminal escapes, carriage returns) or bidi overrides (U+202E turns "gnp.exe"
# round), which are refused rather than silently stripped so that what is shown is what was written.
MAX_NAME = 80
MAX_DESCRIPTION = 2000
MAX_JSON_BYTES = 1024 * 1024  # as in a .vststyle (archive.MAX_BYTES)
# Real descriptions nest 3 or 4 levels; far deeper JSON only serves to exhaust the recursion limit
# (json's parser, the indented writer in `save`, copies).
MAX_DEPTH = 32
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_unprintable(text: str, allowed: str = "") -> bool:
    return any((unicodedata.category(c) == "Cc" and c not in allowed) or c in _BIDI for c in text)


def _too_deep(data: object) -> bool:
    stack = [(data, 1)]
    while stack:  # no recursion: this is what guards against it
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False


def check_id(style_id: object, where: str = "") -> str:
    # fullmatch: `$` alone would let a trailing newline into a file name.
    if not isinstance(style_id, str) or not _ID_RE.fullmatch(style_id) or style_id.endswith("."):
        raise StyleError(f"{where or 'The style'} has an invalid id {ascii(style_id)[:80]}.",
                         "Ids use letters, digits, '_', '-' and '.', up to 64 characters.")
    return style_id


@dataclass
class StyleMeta:
    id: str
    name: str
    description: str = ""
    kind: str = "gan"
    license: str = ""
    sources: list[dict] = field(default_factory=list)
    training: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    inference_size: list[int] | None = None
    hidden: bool = False
    schema: int = SCHEMA
    # Keys a newer version wrote: kept so that a round trip through this version loses nothing.
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: object, where: str = "style.json") -> StyleMeta:
        """Validate a parsed JSON object; StyleError names `where` and the first problem found."""

        def bad(what: str) -> StyleError:
            return StyleError(f"{where}: {what}.", "Re-export the style, or fix its JSON by hand.")

        if not isinstance(data, dict):
            raise bad("the file must hold a JSON object")
        if _too_deep(data):
            raise bad(f"it is nested more than {MAX_DEPTH} levels deep")
        try:  # a lone surrogate ("\\ud800") parses but cannot be written back as UTF-8
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except (UnicodeEncodeError, ValueError) as e:
            raise bad(f"it holds text that is not valid Unicode ({e.__class__.__name__})") from e
        if data.get("schema") != SCHEMA:
            raise bad(f"unsupported schema {data.get('schema')!r} (this version reads schema {SCHEMA})")
        style_id = check_id(data.get("id"), where)
        for key in ("name", "description", "license"):
            if not isinstance(data.get(key, ""), str):
                raise bad(f"'{key}' must be a string")
        name = data.get("name", "").strip()
        if not name:
            raise bad("'name' is missing")
        if len(name) > MAX_NAME:
            raise bad(f"'name' is {len(name)} characters long; at most {MAX_NAME} characters are allowed")
        if has_unprintable(name):
            raise bad(f"'name' contains control characters ({ascii(name[:40])}); use plain text")
        description = data.get("description", "")
        if len(description) > MAX_DESCRIPTION:
            raise bad(f"'description' is {len(description)} characters long; at most {MAX_DESCRIPTION} "
                      "are allowed")
        if has_unprintable(description, allowed="\n\t"):
            raise bad("'description' contains control characters; use plain text")
        if data.get("kind") not in KINDS:
            raise bad(f"'kind' must be one of {', '.join(KINDS)}, not {data.get('kind')!r}")
        sources = data.get("sources", [])
        if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
            raise bad("'sources' must be a list of objects with file, origin and license")
        for key in ("training", "metrics"):
            if not isinstance(data.get(key, {}), dict):
                raise bad(f"'{key}' must be an object")
        size = data.get("inference_size")
        if size is not None and not (isinstance(size, list) and len(size) == 2 and all(
                isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 8192 for v in size)):
            raise bad("'inference_size' must be [width, height] in pixels, or null")
        if not isinstance(data.get("hidden", False), bool):
            raise bad("'hidden' must be true or false")
        return cls(id=style_id, name=name, description=description,
                   kind=data["kind"], license=data.get("license", ""), sources=list(sources),
                   training=dict(data.get("training", {})), metrics=dict(data.get("metrics", {})),
                   inference_size=list(size) if size else None, hidden=data.get("hidden", False),
                   extra={k: v for k, v in data.items() if k not in _KNOWN})

    def to_json(self) -> dict:
        out = {"schema": self.schema, "id": self.id, "name": self.name, "description": self.description,
               "kind": self.kind, "license": self.license, "sources": self.sources,
               "training": self.training, "metrics": self.metrics, "inference_size": self.inference_size}
        if self.hidden:
            out["hidden"] = True
        out.update(self.extra)
        return out

    @classmethod
    def load(cls, path: Path, where: str | None = None) -> StyleMeta:
        """Read and validate `path`; messages call it `where` (default: its file name)."""
        where = where or Path(path).name
        try:
            if Path(path).stat().st_size > MAX_JSON_BYTES:
                raise StyleError(f"{where}: the style description is larger than "
                                 f"{MAX_JSON_BYTES // 1024 // 1024} MiB.", "Reinstall the style.")
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except RecursionError as e:
            raise StyleError(f"{where}: the style description is nested too deeply to read.",
                             "Re-export the style, or fix its JSON by hand.") from e
        # ValueError: bad JSON, and also an integer of more than 4300 digits.
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise StyleError(f"{where}: cannot read the style description ({str(e)[:200]}).",
                             "Reinstall the style.") from e
        return cls.from_json(data, where)

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class StylePackage:
    id: str
    onnx_path: Path
    json_path: Path
    png_path: Path
    meta: StyleMeta
    builtin: bool

    @classmethod
    def in_folder(cls, folder: Path, meta: StyleMeta, builtin: bool) -> StylePackage:
        folder = Path(folder)  # not with_suffix(): an id may contain a dot
        return cls(meta.id, folder / f"{meta.id}.onnx", folder / f"{meta.id}.json", folder / f"{meta.id}.png",
                   meta, builtin)
