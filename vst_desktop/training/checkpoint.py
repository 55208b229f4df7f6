"""Checkpoints: everything a run needs to continue exactly, written atomically, read with weights_only=True.

weights_only=True refuses arbitrary pickled objects (a checkpoint from the internet cannot run code), so
everything stored here is tensors or plain Python values: RNG states are converted to those.
"""

from __future__ import annotations

import os
import pickle
import random
from pathlib import Path

import numpy as np
import torch

from vst_desktop.core.errors import TrainingError

FORMAT = 1


def capture_rng(data_rng: np.random.Generator) -> dict:
    py_version, py_state, py_gauss = random.getstate()
    np_state = data_rng.bit_generator.state
    rng = {
        "python": [py_version, list(py_state), py_gauss],
        # 128-bit PCG64 integers as strings: plain and exact
        "numpy": {"bit_generator": np_state["bit_generator"],
                  "state": str(np_state["state"]["state"]), "inc": str(np_state["state"]["inc"]),
                  "has_uint32": int(np_state["has_uint32"]), "uinteger": int(np_state["uinteger"])},
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        rng["cuda"] = torch.cuda.get_rng_state_all()
    return rng


def restore_rng(rng: dict, data_rng: np.random.Generator) -> None:
    version, state, gauss = rng["python"]
    random.setstate((version, tuple(state), gauss))
    n = rng["numpy"]
    data_rng.bit_generator.state = {
        "bit_generator": n["bit_generator"], "state": {"state": int(n["state"]), "inc": int(n["inc"])},
        "has_uint32": n["has_uint32"], "uinteger": n["uinteger"]}
    torch.set_rng_state(rng["torch"])
    if "cuda" in rng and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"])


def save_atomic(state: dict, path: Path) -> None:
    """Write to a temporary file then rename: a crash mid-write never leaves a broken latest.pt."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


# What every checkpoint this module writes holds (loop.Trainer.state_dict), by type.
REQUIRED: dict[str, type] = {"step": int, "config": dict, "G": dict, "EMA": dict, "gen_step": dict, "D": dict,
                             "opt_g": dict, "opt_d": dict, "rng": dict}


def _not_ours(path: Path, why: str) -> TrainingError:
    return TrainingError(f"{path} is not a vst-desktop checkpoint ({why}).",
                         "Resume a run folder that vst-desktop trained (its checkpoints/latest.pt), "
                         "or start a new run with --styles DIR.")


def load(path: Path, device: torch.device | str = "cpu") -> dict:
    """The checkpoint's state; a TrainingError (never torch's own message) for anything else."""
    if not path.is_file():
        raise TrainingError(f"No checkpoint at {path}.", "Give the run folder of a run that saved one.")
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except pickle.UnpicklingError:
        # torch's message advises weights_only=False, which would run whatever code the file holds: never
        # pass that on to a person.
        raise _not_ours(path, "it holds Python objects other than weights, which are never loaded because "
                              "they could run code") from None
    except OSError as exc:
        raise TrainingError(f"The checkpoint {path} cannot be read ({exc.strerror or exc}).",
                            "Check that the file is there and readable.") from None
    except Exception:  # noqa: BLE001 - torch raises many kinds for a damaged or foreign file
        raise _not_ours(path, "torch cannot read it: it is damaged or another kind of file") from None
    if not isinstance(state, dict):
        raise _not_ours(path, f"it holds a {type(state).__name__}, not a training state")
    if "format" not in state:
        raise _not_ours(path, "it has no vst-desktop format number")
    if state.get("format") != FORMAT:
        raise TrainingError(f"The checkpoint {path} has format {state.get('format')!r}, expected {FORMAT}.",
                            "It was written by another version; start a new run.")
    wrong = [k for k, kind in REQUIRED.items() if not isinstance(state.get(k), kind) or isinstance(state[k], bool)]
    if wrong:
        raise _not_ours(path, f"{', '.join(wrong)} missing or of the wrong kind; it may be damaged")
    return state
