"""The experiment scripts (one measurement each; research/README.md says which)."""
