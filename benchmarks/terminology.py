"""The weight of multilingual query expansion (engine.terminology), on both evaluation sets.

    python -m benchmarks.terminology --practices-index DIR [--out FILE]

The default hybrid search (the settings in force) with the expansion's keyword matches weighted
0 (off) to 0.5 in score fusion, scored as in benchmarks.situations: nDCG@10 per set, split (tune,
test) and situation (same-language, cross-language), with the language bias on cross-language
queries. Choose on the tune splits, read the test splits.
"""

import dataclasses

from benchmarks.common import emit
from benchmarks.situations import arguments, evaluation_sets, system_figures
from praxis.settings import Settings
from praxis.workspace import Workspace

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5)


def main() -> None:
    args = arguments(__doc__)
    workspace = Workspace(Settings())
    current = workspace.evaluation_settings()
    results = {}
    for name, index, queries, situation_of, kinds in evaluation_sets(workspace, args.practices_index):
        results[name] = {
            f"terminology weight {weight}": system_figures(
                index,
                workspace.embedder,
                queries,
                situation_of,
                "hybrid",
                dataclasses.replace(current, terminology_weight=weight),
                kinds,
            )
            for weight in WEIGHTS
        }
    emit(results, args.out)


if __name__ == "__main__":
    main()
