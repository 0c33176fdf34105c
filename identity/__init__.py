"""Who is this, and at which level of assurance.

Modules so far:

- `errors`        the exception tree (`IdentityError`, `InvalidToken`, `InvalidPhoneNumber`, ...)
- `staff_tokens`  validating staff Bearer tokens (Microsoft Entra ID v2 access tokens) into a `StaffIdentity`
- `staff_loa`     the level of assurance of a staff sign-in, from the token's `acrs` and `amr` claims
- `jwks`          the issuer's signing keys, fetched over HTTP and cached, with key rollover
- `dev_issuer`    the development issuer of Entra-shaped tokens, and its JWKS
- `contact`       recipient data: mobile numbers (E.164) and personal identity / coordination numbers
- `eid`           e-identification at LoA3: BankID, Freja eID, SITHS through OpenID Connect (`EidService`, `OidcService`)
- `simulators`    BankID, Freja eID and an OpenID provider on loopback, for development and tests
"""
