"""Evaluation scripts: each compares a model with its classical peers on held-out data."""
