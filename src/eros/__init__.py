"""EROS: weekly send-schedule generation and the machinery to roll out a new generator safely."""

__version__ = "0.1.0"
