"""The largest request body the API takes, derived from the submission's field caps.

A submission is the largest body any route accepts. Its worst case is every field at its cap,
every character JSON-escaped at its longest: a character outside the Basic Multilingual Plane
is a surrogate pair, "\\ud83d\\ude00", 12 bytes (a Greek or Bulgarian letter is 6 escaped, 2 in
UTF-8). The limit is that, read from the model's JSON schema, plus room for whitespace.
"""

import json

from praxis.submissions.intake import Submission

ESCAPED_CHARACTER_BYTES = 12
NUMBER_BYTES = 24
"""The longest JSON text of a float ("-2.2250738585072014e-308"); also covers true, false, null."""
WHITESPACE_BYTES = 16 * 1024
"""What a client may put between the tokens: pretty-printed JSON adds a newline and an indent to
every value."""


def worst_case_bytes(schema: dict, definitions: dict) -> int:
    """The most bytes a JSON value valid for `schema` (a JSON schema node) takes, compactly written."""
    if "$ref" in schema:
        return worst_case_bytes(definitions[schema["$ref"].rsplit("/", 1)[-1]], definitions)
    if "anyOf" in schema:
        return max(worst_case_bytes(option, definitions) for option in schema["anyOf"])
    kind = schema.get("type")
    if kind == "string":
        return 2 + ESCAPED_CHARACTER_BYTES * _most_characters(schema)
    if kind == "array":
        return 2 + schema["maxItems"] * (worst_case_bytes(schema["items"], definitions) + 1)
    if kind == "object":
        members = schema["properties"].items()
        return 2 + sum(len(json.dumps(key)) + 1 + worst_case_bytes(value, definitions) + 1 for key, value in members)
    return NUMBER_BYTES


def _most_characters(schema: dict) -> int:
    """A string's length cap: its maxLength or its constant. A string with neither has no worst case."""
    if "maxLength" in schema:
        return schema["maxLength"]
    if "const" in schema:
        return len(schema["const"])
    raise ValueError(f"a request string has no length cap ({schema}): give its field a max_length")


def _submission_limit() -> int:
    schema = Submission.model_json_schema()
    return worst_case_bytes(schema, schema.get("$defs", {})) + WHITESPACE_BYTES


MAX_BODY_BYTES = _submission_limit()
