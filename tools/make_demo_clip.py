"""Build resources/demo/demo.mp4 from Intel's CC BY 4.0 sample footage (see resources/demo/ATTRIBUTION.md).

The source is a 5 s, 12.5 fps, 480x270 GIF of a face close-up: the most webcam-like clip available.
It is played forward then backward (a seamless loop, ~10 s), upscaled to 640x360, held at 25 fps
(each source frame shown twice) so the live path runs at a camera-like rate, and encoded as H.264 CRF 28.

    .venv/bin/python tools/make_demo_clip.py [--source PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path

import av
import cv2

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "video" / "head-pose-face-detection-male.gif"
DEFAULT_OUT = ROOT / "resources" / "demo" / "demo.mp4"
SIZE = (640, 360)
FPS = 25
REPEAT = 2  # 12.5 fps source -> 25 fps output
MAX_BYTES = 2 * 1024 * 1024


def read_frames(path: Path) -> list:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]


def ping_pong(frames: list) -> list:
    """Forward then backward without repeating the end frames: loops without a jump."""
    return frames + frames[-2:0:-1]


def encode(frames: list, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=Fraction(FPS), options={"crf": "28", "preset": "slow"})
        stream.width, stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        pts = 0
        for pixels in frames:
            big = cv2.resize(pixels, SIZE, interpolation=cv2.INTER_CUBIC)
            for _ in range(REPEAT):
                frame = av.VideoFrame.from_ndarray(big, format="bgr24").reformat(format="yuv420p")
                frame.pts = pts
                pts += 1
                container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    frames = ping_pong(read_frames(args.source))
    encode(frames, args.out)
    size = args.out.stat().st_size
    seconds = len(frames) * REPEAT / FPS
    print(f"{args.out}: {len(frames) * REPEAT} frames, {seconds:.2f} s, {size / 1024:.0f} KiB")
    if size > MAX_BYTES:
        raise SystemExit(f"{args.out} is {size} bytes, over the 2 MB budget: raise the CRF")


if __name__ == "__main__":
    main()
