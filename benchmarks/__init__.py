"""Reproducible fan-out benchmarks for drf-graphql-live (see benchmarks/README.md)."""
