"""Offline evaluation of search quality (ranx, matplotlib): not part of the server.

``metrics`` runs an evaluation set against an index, ``run`` is what `praxis eval` does
(tuning, the translation set, the summary), ``report`` writes it as Markdown and plots.
"""
