"""Specs: reading YAML with positions, folder defaults and discovery."""
