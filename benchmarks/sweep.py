"""One search setting swept over values, on both evaluation sets, per split and situation.

    python -m benchmarks.sweep --practices-index DIR --setting NAME --values V [V ...] [--out FILE]

The default hybrid search (the settings in force) with one of its settings (a field of
praxis.evaluation.metrics.Settings, e.g. ``terminology_weight``, ``project_raw_similarity``)
set to each value in turn, scored as in benchmarks.situations: nDCG@10 per set, split (tune,
test) and situation (same-language, cross-language), with the language bias on cross-language
queries. Choose on the tune splits, read the test splits.
"""

import argparse
import dataclasses

from benchmarks.common import emit
from benchmarks.situations import evaluation_sets, parser, system_figures
from praxis.settings import Settings
from praxis.workspace import Workspace


def arguments() -> argparse.Namespace:
    command = parser(__doc__)
    command.add_argument("--setting", required=True, help="a field of praxis.evaluation.metrics.Settings")
    command.add_argument("--values", type=float, nargs="+", required=True)
    return command.parse_args()


def main() -> None:
    args = arguments()
    workspace = Workspace(Settings())
    current = workspace.evaluation_settings()
    if args.setting not in {f.name for f in dataclasses.fields(current)}:
        raise SystemExit(f"unknown setting {args.setting!r}: use a field of praxis.evaluation.metrics.Settings")
    results = {}
    for name, index, queries, situation_of, kinds in evaluation_sets(workspace, args.practices_index):
        results[name] = {
            f"{args.setting} {value}": system_figures(
                index,
                workspace.embedder,
                queries,
                situation_of,
                "hybrid",
                dataclasses.replace(current, **{args.setting: value}),
                kinds,
            )
            for value in args.values
        }
    emit(results, args.out)


if __name__ == "__main__":
    main()
