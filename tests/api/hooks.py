"""Hooks for the API fuzz run (loaded by schemathesis through SCHEMATHESIS_HOOKS).

The run authenticates with one API token. Revoking that token would turn every later call
into a 401 and leave most of the API untested, so a generated revocation of exactly that
token is pointed at an id no token has. Every other input is sent as generated.
"""

import os

import schemathesis

FUZZ_TOKEN_ID = os.environ.get("POLDER_FUZZ_TOKEN_ID", "")
UNUSED_ID = 2**62


@schemathesis.hook
def before_call(context, case, kwargs):
    operation = case.operation
    if operation.method.upper() != "DELETE" or operation.path != "/api/tokens/{id}":
        return
    if str((case.path_parameters or {}).get("id")) == FUZZ_TOKEN_ID:
        case.path_parameters["id"] = UNUSED_ID
