"""Research code: the experiments behind the painted recipe and the modules only they use.

Not part of the shipped `vst_desktop` package (research/README.md lists every script and what it backs).
Run the scripts from the repository root as modules, e.g. `.venv/bin/python -m research.experiments.mark_tune`,
so that `research` and `vst_desktop` both import.
"""
