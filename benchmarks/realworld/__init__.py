"""Runs of drf-graphql-live against real DRF projects (see README.md); nothing of theirs is kept."""
