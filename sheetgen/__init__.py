"""sheetgen: build submission-ready 绩效目标表 from YAML specs."""

__version__ = "0.1.0"
