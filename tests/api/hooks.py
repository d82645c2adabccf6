"""Hooks for the API fuzz run (loaded by schemathesis through SCHEMATHESIS_HOOKS).

- Generated ids are mostly ids nobody has, which tests little more than the 404 path. Each
  generated integer path parameter is therefore also tried as a small id, which the demo data
  has (its bodies, drafts, milestones, disputes...), and party codes as the demo's parties, so
  that the answers with content are checked against their schemas too.
- The run authenticates with one API token. Revoking that token would turn every later call
  into a 401 and leave most of the API untested, so a generated revocation of exactly that
  token is pointed at an id no token has.
"""

import os

import schemathesis
from hypothesis import strategies as st

FUZZ_TOKEN_ID = os.environ.get("POLDER_FUZZ_TOKEN_ID", "")
UNUSED_ID = 2**62
DEMO_PARTIES = ["VWS", "ZIN", "FMS", "ZN", "PFN"]
PARTY_PARAMETERS = {"code", "party"}


def _near_demo_data(name, value):
    if isinstance(value, bool):
        return st.just(value)
    if isinstance(value, int):
        return st.one_of(st.just(value), st.integers(min_value=1, max_value=12))
    if isinstance(value, str) and name in PARTY_PARAMETERS:
        return st.one_of(st.just(value), st.sampled_from(DEMO_PARTIES))
    return st.just(value)


@schemathesis.hook
def before_generate_path_parameters(context, strategy):
    def bias(parameters):
        if not isinstance(parameters, dict):
            return st.just(parameters)
        return st.fixed_dictionaries(
            {name: _near_demo_data(name, value) for name, value in parameters.items()}
        )

    return strategy.flatmap(bias)


@schemathesis.hook
def before_call(context, case, kwargs):
    operation = case.operation
    if operation.method.upper() != "DELETE" or operation.path != "/api/tokens/{id}":
        return
    if str((case.path_parameters or {}).get("id")) == FUZZ_TOKEN_ID:
        case.path_parameters["id"] = UNUSED_ID
