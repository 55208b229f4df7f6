"""Training data: folder validation with clear messages, junk listing, paired detection, crops."""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest

from vst_desktop.core.errors import TrainingDataError
from vst_desktop.core.images import is_paired_folder
from vst_desktop.training import data
from vst_desktop.training.entry import _standalone as train_cli


def _photo(shared_data, name="kodak_kodim05.png"):
    return cv2.imread(str(shared_data / "content" / "train" / name))


def test_missing_folder(tmp_path):
    with pytest.raises(TrainingDataError, match="does not exist") as e:
        data.scan_images(tmp_path / "nope")
    assert e.value.hint


def test_empty_folder(tmp_path):
    with pytest.raises(TrainingDataError, match="is empty"):
        data.scan_images(tmp_path)


def test_no_readable_images_lists_why(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "broken.jpg").write_bytes(b"not a jpeg at all")
    with pytest.raises(TrainingDataError, match="no usable images") as e:
        data.scan_images(tmp_path)
    assert "broken.jpg: cannot be read" in e.value.message
    assert "notes.txt: not an image file" in e.value.message


def test_single_tiny_image(tmp_path, shared_data):
    cv2.imwrite(str(tmp_path / "tiny.png"), cv2.resize(_photo(shared_data), (40, 40)))
    with pytest.raises(TrainingDataError, match="too small"):
        data.scan_images(tmp_path)


def test_junk_is_skipped_and_listed(tmp_path, shared_data):
    src = shared_data / "styles" / "van_gogh"
    for f in sorted(src.iterdir())[:2]:
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "Thumbs.db").write_bytes(b"\0\1")
    (tmp_path / "half.png").write_bytes(b"\x89PNG\r\n")
    scan = data.scan_images(tmp_path)
    assert len(scan.images) == 2
    assert {p.name for p, _ in scan.skipped} == {"Thumbs.db", "half.png"}


def test_all_supported_extensions(tmp_path, shared_data):
    img = _photo(shared_data)
    for ext in ("jpg", "jpeg", "png", "webp", "bmp"):
        assert cv2.imwrite(str(tmp_path / f"a_{ext}.{ext}"), img)
    assert len(data.scan_images(tmp_path).images) == 5


def test_paired_folder_matches_by_name(tmp_path, shared_data):
    (tmp_path / "input").mkdir()
    (tmp_path / "target").mkdir()
    img = _photo(shared_data)
    for name in ("a", "b"):
        cv2.imwrite(str(tmp_path / "input" / f"{name}.png"), img)
        cv2.imwrite(str(tmp_path / "target" / f"{name}.jpg"), 255 - img)
    cv2.imwrite(str(tmp_path / "input" / "lonely.png"), img)
    assert is_paired_folder(tmp_path)
    scan = data.scan_pairs(tmp_path)
    assert [p.stem for p, _ in scan.pairs] == ["a", "b"]
    assert [p.name for p, _ in scan.skipped] == ["lonely.png"]


def test_paired_folder_without_pairs(tmp_path, shared_data):
    (tmp_path / "input").mkdir()
    (tmp_path / "target").mkdir()
    cv2.imwrite(str(tmp_path / "input" / "a.png"), _photo(shared_data))
    cv2.imwrite(str(tmp_path / "target" / "b.png"), _photo(shared_data))
    with pytest.raises(TrainingDataError, match="no matching pairs"):
        data.scan_pairs(tmp_path)


def test_crops_are_deterministic_and_in_range(shared_data):
    imgs = data.load_images(sorted((shared_data / "styles" / "monet").iterdir()), max_side=200)
    sampler = data.CropSampler(imgs, crop=48, scale_range=(0.5, 1.0))
    a, _ = sampler.sample(np.random.default_rng(3), 4)
    b, _ = sampler.sample(np.random.default_rng(3), 4)
    assert a.shape == (4, 3, 48, 48) and a.dtype == np.float32
    assert np.array_equal(a, b)
    assert 0.0 <= a.min() and a.max() <= 1.0 and a.std() > 0.05


def test_paired_crops_align(shared_data):
    img = cv2.cvtColor(_photo(shared_data), cv2.COLOR_BGR2RGB)
    sampler = data.CropSampler([img], crop=32, scale_range=(0.3, 0.6), targets=[255 - img])
    x, y = sampler.sample(np.random.default_rng(0), 3)
    np.testing.assert_allclose(x + y, 1.0, atol=1e-6)  # the same window and flip in both


def test_bundled_content_set_is_small_and_licensed():
    folder = data.bundled_content_dir()
    photos = sorted(folder.glob("*.jpg"))
    assert len(photos) >= 50
    assert sum(p.stat().st_size for p in photos) <= 10 * 1024 * 1024
    licences = (folder / "LICENSES.md").read_text()
    assert all(f"`{p.name}`" in licences for p in photos)
    assert "UNVERIFIED" not in licences.split("| file |")[1]  # the table: no unverified file


@pytest.mark.parametrize("case", ["missing", "empty", "junk", "tiny"])
def test_cli_bad_folders_exit_2_before_any_work(case, tmp_path, shared_data, capsys):
    # the same main() that `vst-desktop train` calls, through the module's own parser
    folder = tmp_path / "styles"
    if case != "missing":
        folder.mkdir()
    if case == "junk":
        (folder / "readme.txt").write_text("x")
        (folder / "fake.png").write_text("x")
    if case == "tiny":
        cv2.imwrite(str(folder / "tiny.png"), cv2.resize(_photo(shared_data), (32, 48)))
    run = tmp_path / "run"
    code = train_cli(["--styles", str(folder), "--out", str(run), "--no-install"])
    err = capsys.readouterr().err
    assert code == 2
    assert "error:" in err and str(folder) in err
    assert not run.exists()  # nothing was started


def test_cli_options_need_no_torch():
    """`vst-desktop --help` and the GUI must work without the [train] extra: options import no torch."""
    import subprocess
    import sys

    code = ("import argparse, sys; from vst_desktop.training.entry import add_arguments; "
            "add_arguments(argparse.ArgumentParser()); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
