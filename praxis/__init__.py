"""Praxis: a multilingual knowledge base of good practices for social inclusion."""

__version__ = "0.1.0"
