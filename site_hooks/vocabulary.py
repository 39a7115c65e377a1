"""The labels the problem-search page needs, as a JSON file of the site.

In: the catalogue. Out: `assets/praxis/vocabulary.json` with the languages that have
write-ups (their own names), and the themes, target groups, methods and evidence levels
with their labels in every taxonomy language, so the page can offer filters and show
terms in its reader's language without a request to the API.
"""

import json

from site_hooks.catalogue import Catalogue
from site_hooks.labels import language_name

VOCABULARY_URI = "assets/praxis/vocabulary.json"
VOCABULARIES = ("themes", "target_groups", "methods", "evidence_levels")


def vocabulary_json(catalogue: Catalogue) -> str:
    taxonomy = catalogue.taxonomy
    content = {
        "languages": {code: language_name(code) for code in catalogue.languages},
        "label_languages": list(taxonomy.languages),
        **{name: taxonomy.vocabularies[name] for name in VOCABULARIES},
    }
    return json.dumps(content, ensure_ascii=False, indent=1)
