"""Tests of the research-only modules (research/texture/)."""
