"""Write access: bearer tokens configured by the operator, compared in constant time.

In: the request's ``Authorization: Bearer <token>`` header and the configured
"name:token" entries. Out: the submitter's name, or 401. Every configured token is
compared (with hmac.compare_digest) whatever the outcome, so timing says nothing.
A route of the ``TokenFirstRoute`` class checks the token before its body is read.
"""

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from search_api.deps import SettingsDep, get_settings

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


class TokenFirstRoute(APIRoute):
    """A route that, when it depends on `submitter`, refuses a request without a valid token
    with 401 before anything else. FastAPI parses the body before it solves any dependency, so
    a body that is not JSON got 422 from a route that needs a token, to anyone; now only a
    token holder learns what is wrong with the body. The dependency stays, so the OpenAPI
    schema (its security scheme and 401) and the route's `who` are unchanged."""

    def get_route_handler(self):
        handler = super().get_route_handler()
        if not _depends_on_submitter(self.dependant):
            return handler

        async def token_first(request: Request):
            submitter(get_settings(request), await bearer(request))
            return await handler(request)

        return token_first


def _depends_on_submitter(dependant: Dependant) -> bool:
    return any(sub.call is submitter or _depends_on_submitter(sub) for sub in dependant.dependencies)
