"""Batch builds: plan, fingerprints/manifest, parallel runner, atomic writes.

This package is the only part of sheetgen that writes files.
"""
