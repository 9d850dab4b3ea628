"""Renderers: model + jurisdiction -> bytes.  Pure: no file system writes."""
