"""Write access: bearer tokens configured by the operator, compared in constant time.

In: the request's ``Authorization: Bearer <token>`` header and the configured
"name:token" entries. Out: the submitter's name, or 401. Every configured token is
compared (with hmac.compare_digest) whatever the outcome, so timing says nothing.
"""

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from search_api.deps import SettingsDep

bearer = HTTPBearer(auto_error=False, description="A submission token from the operator")


def submitter(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> str:
    """The name of the token's holder; 401 when the token is missing or unknown."""
    offered = credentials.credentials.encode() if credentials else b""
    name = None
    for entry in settings.submission_tokens:
        entry_name, _, secret = entry.partition(":")
        if hmac.compare_digest(offered, secret.encode()) and secret and name is None:
            name = entry_name
    if not credentials or name is None:
        raise HTTPException(
            status_code=401,
            detail="a valid submission token is required: ask the operator of this site for one",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return name


SubmitterDep = Annotated[str, Depends(submitter)]
