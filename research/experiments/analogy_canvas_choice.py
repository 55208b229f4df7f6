"""Issue 16: choose the analogy canvas's form per folder with the identification metric, on the TUNE part only.

For every canvas form the teacher alone (analogy_teacher.py, no network) paints the tune photos and webcam-like
frames of every tuned folder; each folder takes the form whose grey webcam p_own is highest (ties: grey photo
p_own). The never-tuned folder (munch_scream) is not looked at: it takes the form chosen most often.

    python -m research.experiments.analogy_canvas_choice --out docs/research/analogy
writes teacher_canvas_FORM.json per form and canvas_choice.json (read by analogy_grid.py's per-folder variant).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from research.experiments.analogy_teacher import NEVER_TUNED
from vst_desktop.trainspec.config import CANVAS_FORMS

ROOT = Path(__file__).resolve().parents[2]


def choose(reports: dict[str, dict]) -> dict:
    """Per folder the best form by grey webcam p_own, then grey photo p_own; the never-tuned folder gets the
    most frequent choice (ties: the earlier form in CANVAS_FORMS order)."""
    folders = sorted(k for k in next(iter(reports.values())) if k not in ("settings", "hits"))
    chosen = {}
    for f in folders:
        scores = {form: (r[f]["webcam"]["grey"]["p_own"], r[f]["photos"]["grey"]["p_own"]) for form, r in reports.items()}
        chosen[f] = max(scores, key=scores.__getitem__)  # the first of equal forms on a full tie
    counts = Counter(chosen.values())
    order = list(reports)
    chosen[NEVER_TUNED] = max(counts, key=lambda form: (counts[form], -order.index(form)))
    return chosen


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "docs" / "research" / "analogy"))
    ap.add_argument("--forms", default=",".join(CANVAS_FORMS))
    ap.add_argument("--rerun", action="store_true", help="score a form again even if its JSON exists")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    reports = {}
    for form in args.forms.split(","):
        path = out / f"teacher_canvas_{form}.json"
        if args.rerun or not path.exists():  # resumable: a finished form is not scored again
            subprocess.check_call([sys.executable, "-m", "research.experiments.analogy_teacher",
                                   "--set", f"canvas_form={form}", "--json", str(path)], cwd=ROOT)
        reports[form] = json.loads(path.read_text(encoding="utf-8"))
    chosen = choose(reports)
    table = {f: {form: {"webcam_grey": reports[form][f]["webcam"]["grey"]["p_own"],
                        "photos_grey": reports[form][f]["photos"]["grey"]["p_own"]} for form in reports}
             for f in chosen if f != NEVER_TUNED}
    (out / "canvas_choice.json").write_text(json.dumps({"chosen": chosen, "tune_p_own": table}, indent=1),
                                            encoding="utf-8")
    print("| folder | " + " | ".join(reports) + " | chosen |")
    for f, row in table.items():
        print(f"| {f} | " + " | ".join(f"{v['webcam_grey']:.2f} / {v['photos_grey']:.2f}" for v in row.values())
              + f" | {chosen[f]} |")
    print(f"| {NEVER_TUNED} (not looked at: the most frequent) | | {chosen[NEVER_TUNED]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
