"""The local, private usage log behind "For you": per style, how often it was selected, how long it was
kept on and how often it was recorded with. It lives in the user data folder and never leaves the machine.

The log never blocks start-up: a file that cannot be used is moved aside as `usage.corrupt-<time>.json`
and a fresh log starts. Its size is bounded: at most MAX_STYLES entries (the least recently used go),
and the counters are capped.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

from vst_desktop.core import paths

log = logging.getLogger(__name__)

SCHEMA = 1
MAX_STYLES = 200  # far more than anyone's gallery; the log stays a few KB
MAX_BYTES = 1 << 20
MAX_COUNT = 10_000
MAX_SECONDS = 1e7
SETTING = "usage_log"  # key in Settings.extra: False turns the log off
# What one action says about taste: a recording is a stronger vote than a selection; time kept on counts
# per minute, up to an hour per style (a style left on overnight is not a hundred votes).
W_SELECTED, W_RECORDED, W_MINUTE, MAX_MINUTES = 1.0, 3.0, 0.5, 60.0


@dataclass
class StyleUse:
    selected: int = 0
    seconds: float = 0.0
    recorded: int = 0
    last: float = 0.0

    def weight(self) -> float:
        return (W_SELECTED * self.selected + W_RECORDED * self.recorded
                + W_MINUTE * min(self.seconds / 60.0, MAX_MINUTES))


def _count(v: object, cap: float) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
        raise ValueError(f"not a count: {v!r}")
    return min(float(v), cap)


class UsageLog:
    def __init__(self, path: str | Path | None = None, enabled: bool = True) -> None:
        self.path = Path(path) if path is not None else paths.data_dir() / "recommend" / "usage.json"
        self.enabled = enabled
        self.backup: Path | None = None  # where a corrupt log was moved at load
        self.styles: dict[str, StyleUse] = {}
        self._load()

    # -- persistence ----------------------------------------------------------------------------------

    def _load(self) -> None:
        try:
            if not self.path.exists():
                return
            if self.path.stat().st_size > MAX_BYTES:
                raise ValueError("larger than any usage log this app writes")
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("styles"), dict):
                raise ValueError("not a usage log")
            styles = {}
            for sid, entry in data["styles"].items():
                if not isinstance(sid, str) or not isinstance(entry, dict):
                    raise ValueError(f"bad entry {sid!r}")
                styles[sid] = StyleUse(int(_count(entry.get("selected", 0), MAX_COUNT)),
                                       _count(entry.get("seconds", 0.0), MAX_SECONDS),
                                       int(_count(entry.get("recorded", 0), MAX_COUNT)),
                                       _count(entry.get("last", 0.0), 1e11))
            self.styles = styles
        except (OSError, ValueError, UnicodeDecodeError, RecursionError) as exc:
            self._reset_corrupt(exc)

    def _reset_corrupt(self, exc: BaseException) -> None:
        backup = self.path.with_name(f"usage.corrupt-{time.strftime('%Y%m%d-%H%M%S')}.json")
        try:
            self.path.replace(backup)
            self.backup = backup
        except OSError:
            log.warning("could not move the unusable usage log %s aside", self.path, exc_info=True)
        log.warning("the usage log %s could not be read (%s); a new one is started, the old one is in %s",
                    self.path, exc, backup)
        self.styles = {}

    def save(self) -> None:
        if not self.enabled:
            return
        data = {"schema": SCHEMA, "styles": {sid: vars(u) for sid, u in self.styles.items()}}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            tmp.replace(self.path)  # atomic: a crash never leaves half a log
        except OSError:
            log.warning("the usage log %s could not be written", self.path, exc_info=True)

    def clear(self) -> None:
        self.styles = {}
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            log.warning("the usage log %s could not be removed", self.path, exc_info=True)

    # -- recording what the user does ------------------------------------------------------------------

    def _entry(self, style_id: str) -> StyleUse | None:
        if not self.enabled or not style_id:
            return None
        use = self.styles.get(style_id)
        if use is None:
            use = self.styles[style_id] = StyleUse(last=time.time())
            if len(self.styles) > MAX_STYLES:  # bounded: the least recently used entry goes
                del self.styles[min(self.styles, key=lambda s: self.styles[s].last)]
        use.last = time.time()
        return use

    def selected(self, style_id: str) -> None:
        if (use := self._entry(style_id)) is not None:
            use.selected = min(use.selected + 1, MAX_COUNT)
            self.save()

    def kept_on(self, style_id: str, seconds: float) -> None:
        if seconds > 0 and (use := self._entry(style_id)) is not None:
            use.seconds = min(use.seconds + float(seconds), MAX_SECONDS)
            self.save()

    def recorded(self, style_id: str) -> None:
        if (use := self._entry(style_id)) is not None:
            use.recorded = min(use.recorded + 1, MAX_COUNT)
            self.save()

    def weights(self) -> dict[str, float]:
        """{style id: how much it was used}, what `ranking.for_you` reads."""
        return {sid: u.weight() for sid, u in self.styles.items() if u.weight() > 0}
