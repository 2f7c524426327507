"""Builders of test material for the pdf unit tests, made at test time (no committed binaries)."""
