"""Praxis indexer: reads practice write-ups and methodology pages, validates them and
builds the hybrid (faiss + whoosh) search index."""
