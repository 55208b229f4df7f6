"""Writing results to disk: the crash-safe fragmented H.264 MP4 writer (`writer`), live recording behind a
bounded queue and an encoder thread (`recorder`), file naming, the free-space guard (`disk`), snapshots
and putting a source's audio back beside a stylized video (`audio_mux`)."""
