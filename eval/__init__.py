"""Measuring the product: retrieval on question sets, the baseline, metadata accuracy, speed and scale."""
