"""Put the source's audio track beside a stylized video track, without re-encoding the video."""

from __future__ import annotations

import logging
from pathlib import Path

import av

from vst_desktop.core.errors import RecordingError

log = logging.getLogger(__name__)

# Audio codecs an MP4 file can hold as they are; anything else is re-encoded to AAC.
_MP4_AUDIO = {"aac", "mp3", "alac", "opus", "ac3", "eac3", "flac"}


def _copy_packets(inp: av.container.InputContainer, stream, out_stream, out) -> None:
    for packet in inp.demux(stream):
        if packet.dts is None:  # the demuxer's flush packet
            continue
        packet.stream = out_stream
        out.mux(packet)


def _transcode_audio(inp: av.container.InputContainer, stream, out_stream, out) -> None:
    for frame in inp.decode(stream):
        frame.pts = None  # let the encoder's resampler number the samples
        for packet in out_stream.encode(frame):
            out.mux(packet)
    for packet in out_stream.encode(None):
        out.mux(packet)


def copy_audio(video_path: Path, audio_source: Path, dst: Path) -> Path:
    """Write `dst` with the video stream of `video_path` and the first audio stream of `audio_source`."""
    try:
        with av.open(str(video_path)) as vin, av.open(str(audio_source)) as ain, \
                av.open(str(dst), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            vstream = vin.streams.video[0]
            astream = ain.streams.audio[0]
            # Both streams must exist before the first packet: the header is written then.
            out_v = out.add_stream_from_template(vstream)
            copy = astream.codec_context.name in _MP4_AUDIO
            out_a = (out.add_stream_from_template(astream) if copy
                     else out.add_stream("aac", rate=astream.rate or 48000))
            _copy_packets(vin, vstream, out_v, out)
            if copy:
                _copy_packets(ain, astream, out_a, out)
            else:
                _transcode_audio(ain, astream, out_a, out)
    except (av.error.FFmpegError, IndexError, OSError) as exc:
        raise RecordingError(f"Could not add the audio track of {audio_source.name} to {dst.name}: {exc}",
                             "The stylized video was written without sound; try another output folder.") from exc
    log.info("copied audio of %s into %s", audio_source, dst)
    return dst
