"""Curricula: training programmes built from methodology modules and case-study practices.

``model`` is the file format (and its checks), ``library`` what a curriculum may cite,
``draft`` assembles a draft from a topic through the search engine, ``export`` writes a
printable programme.
"""
