"""Property and differential tests (hypothesis)."""
