"""The styles the app can use: built-ins (read-only, in resources/styles) and the user's own (in the
platform data folder). Listing is cheap and skips broken packages with a note in `problems`; installing
and importing validate by running the graph once, in a staging folder, before anything becomes visible.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core import paths
from vst_desktop.core.errors import StyleError
from vst_desktop.styles.archive import extract_members
from vst_desktop.styles.package import StyleMeta, StylePackage, check_id
from vst_desktop.styles.validate import check_contract, validate_onnx

log = logging.getLogger(__name__)

MAX_THUMBNAIL_BYTES = 8 * 1024 * 1024


def _check_png(path: Path, style_id: str) -> None:
    data = np.fromfile(str(path), dtype=np.uint8)
    if data.size == 0 or data.size > MAX_THUMBNAIL_BYTES or cv2.imdecode(data, cv2.IMREAD_COLOR) is None:
        raise StyleError(f"The thumbnail of style '{style_id}' is not a readable PNG image.",
                         "Re-export the style; the thumbnail is a 256x256 PNG.")


class StyleLibrary:
    def __init__(self, builtin_dir: str | Path | None = None, user_dir: str | Path | None = None) -> None:
        self.builtin_dir = Path(builtin_dir) if builtin_dir is not None else paths.builtin_styles_dir()
        self.user_dir = Path(user_dir) if user_dir is not None else paths.user_styles_dir()
        self.problems: list[StyleError] = []
        # (path, mtime_ns, size) of ONNX files that passed the contract check: listing stays cheap.
        self._checked: set[tuple[str, int, int]] = set()

    # -- listing --------------------------------------------------------------------------------------

    def list(self, include_hidden: bool = False) -> list[StylePackage]:
        """Valid styles, built-ins first; broken ones are skipped and described in `self.problems`."""
        self.problems = []
        found: dict[str, StylePackage] = {}
        for folder, builtin in ((self.builtin_dir, True), (self.user_dir, False)):
            for pkg in self._scan(folder, builtin):
                if pkg.id in found:
                    self.problems.append(StyleError(
                        f"Style '{pkg.id}' in {folder} was skipped: a built-in style has the same id.",
                        "Give it another id (in its JSON and its three file names) and import it again."))
                    continue
                found[pkg.id] = pkg
        return [p for p in found.values() if include_hidden or not p.meta.hidden]

    def _scan(self, folder: Path, builtin: bool) -> list[StylePackage]:
        if not folder.is_dir():
            return []
        out = []
        names = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
        for name in sorted(names):
            stem, suffix = os.path.splitext(name)
            if suffix == ".onnx" and f"{stem}.json" not in names:
                self.problems.append(StyleError(f"Style '{stem}' was skipped: {stem}.json is missing.",
                                                "Reinstall the style from its .vststyle file."))
            if suffix != ".json":
                continue
            try:
                out.append(self._load(folder, stem, builtin))
            except StyleError as e:
                self.problems.append(StyleError(f"Style '{stem}' was skipped: {e.message}", e.hint))
        return out

    def _load(self, folder: Path, stem: str, builtin: bool) -> StylePackage:
        meta = StyleMeta.load(folder / f"{stem}.json")
        if meta.id != stem:
            raise StyleError(f"its JSON gives the id '{meta.id}', which does not match the file name.",
                             "Rename the files or fix 'id' in the JSON.")
        pkg = StylePackage.in_folder(folder, meta, builtin)
        for p in (pkg.onnx_path, pkg.png_path):
            if not p.is_file():
                raise StyleError(f"{p.name} is missing.", "Reinstall the style from its .vststyle file.")
        st = pkg.onnx_path.stat()
        key = (str(pkg.onnx_path), st.st_mtime_ns, st.st_size)
        if key not in self._checked:
            check_contract(pkg.onnx_path)
            self._checked.add(key)
        return pkg

    def get(self, style_id: str) -> StylePackage:
        styles = self.list(include_hidden=True)
        for pkg in styles:
            if pkg.id == style_id:
                return pkg
        for problem in self.problems:
            if f"'{style_id}'" in problem.message:
                raise problem
        known = ", ".join(p.id for p in styles if not p.meta.hidden) or "none"
        raise StyleError(f"There is no style '{style_id}'.", f"Installed styles: {known}.")

    # -- installing -----------------------------------------------------------------------------------

    def _staging(self) -> Path:
        self.user_dir.mkdir(parents=True, exist_ok=True)
        # Inside user_dir, so the final rename stays on one file system (and is atomic).
        return Path(tempfile.mkdtemp(prefix=".install-", dir=self.user_dir))

    def install(self, onnx: str | Path, json: str | Path, png: str | Path) -> StylePackage:
        """Copy, validate (one real run) and move the three files into the user styles folder."""
        staging = self._staging()
        try:
            for src, suffix in ((onnx, ".onnx"), (json, ".json"), (png, ".png")):
                src = Path(src)
                if not src.is_file():
                    raise StyleError(f"Cannot install the style: {src} does not exist.",
                                     "Choose the three files of a style: .onnx, .json and .png.")
                try:
                    shutil.copyfile(src, staging / f"style{suffix}")
                except OSError as e:
                    raise StyleError(f"Cannot copy {src.name} into the styles folder: {e}.",
                                     "Check free disk space and permissions.") from e
            return self._commit(staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def import_file(self, path: str | Path) -> StylePackage:
        """Install a `.vststyle` zip after checking every member (see `archive.extract_members`)."""
        staging = self._staging()
        try:
            extract_members(Path(path), staging)
            return self._commit(staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _commit(self, staging: Path) -> StylePackage:
        """Validate `staging/style.{onnx,json,png}` and rename them into place, the JSON last: the
        gallery lists a style by its JSON, so a half-installed one never shows up."""
        meta = StyleMeta.load(staging / "style.json")
        check_id(meta.id)
        if (self.builtin_dir / f"{meta.id}.json").exists():
            raise StyleError(f"A built-in style already has the id '{meta.id}'.",
                             "Change 'id' in the style's JSON and try again.")
        validate_onnx(staging / "style.onnx")
        _check_png(staging / "style.png", meta.id)
        meta.save(staging / "style.json")  # normalised: the id inside matches the file names
        pkg = StylePackage.in_folder(self.user_dir, meta, builtin=False)
        existed = pkg.json_path.exists()
        moved: list[Path] = []
        try:
            for suffix, dst in ((".onnx", pkg.onnx_path), (".png", pkg.png_path), (".json", pkg.json_path)):
                os.replace(staging / f"style{suffix}", dst)
                moved.append(dst)
        except OSError as e:
            if not existed:  # a new style: take back what was moved so nothing half-done remains
                for p in moved:
                    p.unlink(missing_ok=True)
            raise StyleError(f"Could not install style '{meta.id}': {e}.",
                             "Check free disk space and permissions of the styles folder.") from e
        log.info("installed style %s into %s", meta.id, self.user_dir)
        return pkg

    # -- export and removal ---------------------------------------------------------------------------

    def export(self, style_id: str, dest: str | Path) -> Path:
        """Write `<id>.vststyle` (a zip of the three files) into folder `dest`, or to file `dest`."""
        pkg = self.get(style_id)
        dest = Path(dest)
        target = dest / f"{pkg.id}.vststyle" if dest.is_dir() or not dest.suffix else dest
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for src, suffix in ((pkg.onnx_path, ".onnx"), (pkg.json_path, ".json"), (pkg.png_path, ".png")):
                    zf.write(src, f"{pkg.id}{suffix}")
            os.replace(tmp, target)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise StyleError(f"Could not export style '{style_id}' to {target}: {e}.",
                             "Check free disk space and that the folder is writable.") from e
        return target

    def remove(self, style_id: str) -> None:
        """Delete a user style (never a built-in one)."""
        check_id(style_id)
        json_path = self.user_dir / f"{style_id}.json"
        if not json_path.exists():
            if (self.builtin_dir / f"{style_id}.json").exists():
                raise StyleError(f"'{style_id}' is a built-in style and cannot be removed.",
                                 "Hide it in the gallery instead.")
            raise StyleError(f"There is no user style '{style_id}'.", "Run `vst-desktop styles list`.")
        json_path.unlink()  # first: from here on the style is gone from the gallery
        for suffix in (".onnx", ".png"):
            (self.user_dir / f"{style_id}{suffix}").unlink(missing_ok=True)
