"""mkdocs hooks that turn the practices directory into pages of the methodology site.

`hooks.py` is the module mkdocs loads (mkdocs.yml `hooks:`); it only routes mkdocs events
to one small module per concept:

- `catalogue`: the practices, parsed with the indexer's own code, and the taxonomy;
- `similar`: cross-lingual neighbours of every practice, from the search index;
- `practice_pages`: one page per practice write-up, and the list of all practices;
- `facet_pages`: browsing by theme, target group, method, country, language and evidence;
- `coverage`: the coverage page and its SVG charts;
- `vocabulary`: labels for the problem-search page's filters, as JSON;
- `sanitise`: no raw HTML from a practice reaches a page;
- `page_language`: each page's `<html lang>` follows its write-up's language;
- `navigation`: the order of the top-level sections;
- `labels` and `markup`: vocabulary labels in a reader's language, and escaping.
"""
