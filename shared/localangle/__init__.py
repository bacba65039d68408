"""localangle: regional angles and conflicting figures on national news stories."""

__version__ = "0.1.0"
