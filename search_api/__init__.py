"""Praxis search API: cross-lingual hybrid search over the index built by `praxis index`."""
