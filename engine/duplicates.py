"""Near-duplicate practices across languages.

In: the embedded chunks of a candidate write-up (a submission, or a file being validated),
its language, and a loaded index. Out: practices whose language-centred mean vector is
close to the candidate's: "this looks like practice X (hu, similarity 0.93): a
translation, an update, or a different practice?". Centring matters here: raw vectors of
any two texts in one language look alike (see docs/benchmarks).
"""

import numpy as np

from engine.loaded import LoadedIndex
from indexer.chunking import chunk_sections

DEFAULT_THRESHOLD = 0.75


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def near_duplicates(
    index: LoadedIndex,
    chunk_vectors: np.ndarray,
    language: str,
    exclude_group: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 3,
) -> list[dict]:
    """Practices (one version each, best first) at or above `threshold` centred cosine similarity."""
    documents, matrix = index.practice_vectors
    if not documents or not len(chunk_vectors):
        return []
    candidate = _unit(index.centre(chunk_vectors, language).mean(axis=0))
    similarities = matrix @ candidate
    found, seen = [], set()
    for position in np.argsort(-similarities):
        document = documents[position]
        if similarities[position] < threshold or len(found) == limit:
            break
        if document.group_id in seen or document.group_id == exclude_group:
            continue
        seen.add(document.group_id)
        found.append(
            {
                "id": document.id,
                "group_id": document.group_id,
                "title": document.title,
                "language": document.language,
                "similarity": round(float(similarities[position]), 3),
                "message": f"this looks like practice {document.id} ({document.language}, similarity "
                f"{similarities[position]:.2f}): a translation, an update, or a different practice?",
            }
        )
    return found


def duplicates_of(index: LoadedIndex, embed, document, threshold: float = DEFAULT_THRESHOLD) -> list[dict]:
    """Near-duplicates of a parsed write-up (an indexer Document), its own language versions excluded.

    `embed` turns chunk texts into vectors: the embedder's `embed_passages`, or a
    cache-backed function that only embeds what was never embedded.
    """
    chunks = chunk_sections(document.id, document.title, document.sections)
    vectors = embed([chunk.embed_text for chunk in chunks])
    return near_duplicates(index, vectors, document.language, exclude_group=document.group_id, threshold=threshold)
