"""Authoring helpers: the spec's JSON Schema for editors, new spec skeletons,
jurisdiction folders to copy, year rollover and watch-mode builds.

Every module here returns data; :mod:`sheetgen.cli` prints it.
"""
