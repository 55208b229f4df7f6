"""The styles the app can use: built-ins (read-only, in resources/styles) and the user's own (in the
platform data folder). Listing is cheap and skips broken packages with a note in `problems`; installing
and importing validate by running the graph once, in a staging folder, before anything becomes visible.

Importing over an installed id needs `replace=True`; the replaced files are then kept in
`<id>.replaced-<time>/` in the user styles folder (never listed) until `clean_replaced()`, which the app
calls once its window is up (app.build_main_window): a bad replacement can be undone until then.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from vst_desktop.core import paths
from vst_desktop.core.errors import StyleError
from vst_desktop.styles.archive import extract_members
from vst_desktop.styles.package import StyleMeta, StylePackage, check_id
from vst_desktop.styles.thumbnail import check_thumbnail, header_size
from vst_desktop.styles.validate import check_contract, validate_onnx

log = logging.getLogger(__name__)

REPLACED = ".replaced-"  # `<id>.replaced-<time>`: a folder, so never taken for a style's file
_STALE_STAGING_S = 3600  # an `.install-*` folder this old was left by an import that died


class StyleExistsError(StyleError):
    """The style being installed has the id of one the user already has; `replace=True` replaces it."""

    def __init__(self, style_id: str, installed_name: str, new_name: str) -> None:
        super().__init__(f"Style '{style_id}' is already installed (“{installed_name}”).",
                         "To replace it, import it again with --replace (the installed version is kept as "
                         f"'{style_id}{REPLACED}<time>' in the styles folder until the app next starts), or "
                         "give the new style another 'id' in its JSON.")
        self.style_id, self.installed_name, self.new_name = style_id, installed_name, new_name


def _prefixed(exc: StyleError, prefix: str) -> StyleError:
    """`exc` (same class, same hint) with its message led by `prefix`: names the file the user gave."""
    exc.message = f"{prefix}{exc.message}"
    exc.args = (exc.message,)
    return exc


class StyleLibrary:
    def __init__(self, builtin_dir: str | Path | None = None, user_dir: str | Path | None = None) -> None:
        self.builtin_dir = Path(builtin_dir) if builtin_dir is not None else paths.builtin_styles_dir()
        self.user_dir = Path(user_dir) if user_dir is not None else paths.user_styles_dir()
        self.problems: list[StyleError] = []
        # (path, mtime_ns, size) of ONNX files that passed the contract check: listing stays cheap.
        self._checked: set[tuple[str, int, int]] = set()
        self.last_backup: Path | None = None  # where the last install kept the style it replaced

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
        try:
            if not folder.is_dir():
                return []
            # `.install-*` staging folders are hidden; `<id>.replaced-*` backups have no style suffix.
            names = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
        except OSError as e:
            self.problems.append(StyleError(f"The styles folder {folder} cannot be read: {e}.",
                                            "Check its permissions."))
            return []
        out = []
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
            except Exception as e:  # noqa: BLE001 - one bad file must never hide the other styles
                log.warning("style %s in %s could not be read", stem, folder, exc_info=True)
                self.problems.append(StyleError(
                    f"Style '{stem}' was skipped: it could not be read ({type(e).__name__}).",
                    "Remove its files from the styles folder, or reinstall it from its .vststyle file."))
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
        header_size(pkg.png_path)  # the gallery decodes it: never one that claims gigabytes
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

    def install(self, onnx: str | Path, json: str | Path, png: str | Path, replace: bool = True) -> StylePackage:
        """Copy, validate (one real run) and move the three files into the user styles folder. Training
        installs this way and retraining a name replaces its style, so `replace` defaults to True here
        (the replaced style is kept until the next start; see `clean_replaced`)."""
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
            labels = {s: str(p) for s, p in ((".onnx", onnx), (".json", json), (".png", png))}
            return self._commit(staging, labels, replace)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def import_file(self, path: str | Path, replace: bool = False) -> StylePackage:
        """Install a `.vststyle` zip after checking every member (see `archive.extract_members`).
        StyleExistsError when its id is installed already, unless `replace`."""
        path = Path(path)
        staging = self._staging()
        try:
            members = extract_members(path, staging)  # its errors name `path` already
            try:
                return self._commit(staging, members, replace)
            except StyleError as e:
                raise _prefixed(e, f"{path} was not installed: ") from e.__cause__
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _commit(self, staging: Path, labels: dict[str, str], replace: bool) -> StylePackage:
        """Validate `staging/style.{onnx,json,png}` and rename them into place, the JSON last: the
        gallery lists a style by its JSON, so a half-installed one never shows up. `labels`: what the
        person calls each file, for the messages."""
        self.last_backup = None
        meta = StyleMeta.load(staging / "style.json", labels[".json"])
        check_id(meta.id)
        if (self.builtin_dir / f"{meta.id}.json").exists():
            raise StyleError(f"A built-in style already has the id '{meta.id}'.",
                             "Change 'id' in the style's JSON and try again.")
        validate_onnx(staging / "style.onnx", labels[".onnx"])
        check_thumbnail(staging / "style.png", labels[".png"])
        meta.save(staging / "style.json")  # normalised: the id inside matches the file names
        pkg = StylePackage.in_folder(self.user_dir, meta, builtin=False)
        old = [p for p in (pkg.json_path, pkg.onnx_path, pkg.png_path) if p.exists()]
        if old and not replace:
            raise StyleExistsError(meta.id, self._installed_name(pkg), meta.name)
        backup = self._back_up(meta.id, old) if old else None
        moved: list[Path] = []
        try:
            for suffix, dst in ((".onnx", pkg.onnx_path), (".png", pkg.png_path), (".json", pkg.json_path)):
                os.replace(staging / f"style{suffix}", dst)
                moved.append(dst)
        except OSError as e:
            for p in moved:  # take back what was moved, and put the old style back where it was
                p.unlink(missing_ok=True)
            try:
                for p in old:
                    os.replace(backup / p.name, p)
                if backup is not None:
                    backup.rmdir()
            except OSError:
                log.exception("could not restore %s from %s", meta.id, backup)  # the backup stays
            raise StyleError(f"Could not install style '{meta.id}': {e}.",
                             "Check free disk space and permissions of the styles folder.") from e
        self.last_backup = backup
        log.info("installed style %s into %s%s", meta.id, self.user_dir, f" (replaced: {backup})" if backup else "")
        return pkg

    @staticmethod
    def _installed_name(pkg: StylePackage) -> str:
        try:
            return StyleMeta.load(pkg.json_path).name
        except StyleError:
            return "a damaged copy"

    def _back_up(self, style_id: str, files: list[Path]) -> Path:
        """Move `files` (the JSON first: the style leaves the gallery at once) into a fresh
        `<id>.replaced-<time>` folder beside them."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        moved: list[Path] = []
        try:
            n = 1
            while True:  # two replacements within a second get -2, -3, ...
                backup = self.user_dir / f"{style_id}{REPLACED}{stamp}{f'-{n}' if n > 1 else ''}"
                try:
                    backup.mkdir()
                    break
                except FileExistsError:
                    n += 1
            for p in files:
                os.replace(p, backup / p.name)
                moved.append(p)
        except OSError as e:
            for p in moved:
                os.replace(backup / p.name, p)
            raise StyleError(f"Could not keep a copy of style '{style_id}' before replacing it: {e}.",
                             "Check free disk space and permissions of the styles folder.") from e
        return backup

    def clean_replaced(self) -> None:
        """Delete the styles kept by replacing installs (and staging folders an import left when it was
        killed). Called once the app has started; never raises."""
        try:
            entries = list(self.user_dir.iterdir()) if self.user_dir.is_dir() else []
        except OSError:
            return
        now = time.time()
        for p in entries:
            try:
                stale = p.name.startswith(".install-") and now - p.stat().st_mtime > _STALE_STAGING_S
                if p.is_dir() and (REPLACED in p.name or stale):
                    shutil.rmtree(p)
                    log.info("removed %s", p)
            except OSError as e:
                log.warning("could not remove %s: %s", p, e)

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
