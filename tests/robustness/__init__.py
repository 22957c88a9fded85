"""Hostile inputs, trees, disks and processes (issue 15)."""
