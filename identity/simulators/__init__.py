"""Built-in simulators of BankID, Freja eID and an OpenID provider for SITHS, for development and tests.

Each speaks its provider's real wire protocol on loopback, so the very clients used in production are exercised
against them; configuration alone chooses which endpoints the clients call. Identifications wait until someone
approves them, on the /dev/eid page or with `POST /dev/eid/approve`, as one of the test persons.

- `bankid`    the BankID relying-party API v6.0 (`/auth`, `/collect`, `/cancel`)
- `freja`     the Freja eID authentication API, with results signed by the simulator's own certificate
- `oidc`      an OpenID provider: discovery, authorize (a sign-in page), token (PKCE), JWKS
- `registry`  all three together: mounting their routes, listing and approving what is pending
- `persons`   the test persons, with valid test personal numbers
- `common`    the pending-identification record every simulator lists

The simulators are mounted only in development mode, which listens only on loopback. One deliberate departure
from the real services: a person other than the one asked for may approve, so that Sigill's own check that the
identified person is the expected one can be exercised.
"""
