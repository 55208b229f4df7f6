"""The same training command under torchrun: 2 CPU processes with DistributedDataParallel (gloo)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from vst_desktop.training import checkpoint as ckpt

ROOT = Path(__file__).resolve().parents[1]


def test_torchrun_two_cpu_processes(tmp_path, shared_data, isolated_home):
    run = tmp_path / "run"
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env.update(VST_DESKTOP_HOME=str(isolated_home), OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
           "-m", "vst_desktop.training.entry", "--styles", str(shared_data / "styles" / "ukiyo_e"),
           "--out", str(run), "--iterations", "4", "--progress", "jsonl", "--device", "cpu", "--no-install", "--no-evaluate",
           "--set", "crop_size=48", "--set", "batch_size=2", "--set", "max_image_side=160",
           "--set", "checkpoint_every=2", "--set", "sample_every=2", "--set", "log_every=1", "--set", "marks=strokes"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    starts = [e for e in events if e["event"] == "start"]
    assert len(starts) == 1 and starts[0]["world_size"] == 2  # only rank 0 reports
    assert [e["step"] for e in events if e["event"] == "progress"] == [1, 2, 3, 4]
    assert events[-1]["event"] == "done" and events[-1]["style_id"] is None  # --no-install
    state = ckpt.load(run / "checkpoints" / "latest.pt")
    assert state["step"] == 4
    samples = sorted(p.name for p in (run / "samples").iterdir())
    assert samples == ["step_000000.png", "step_000002.png", "step_000004.png"]  # written once, by rank 0
    assert (run / "package").is_dir()
