"""Who is this, and at which level of assurance.

Modules so far:

- `errors`        the exception tree (`IdentityError`, `InvalidToken`, `InvalidPhoneNumber`, ...)
- `staff_tokens`  validating staff Bearer tokens (Microsoft Entra ID v2 access tokens) into a `StaffIdentity`
- `jwks`          the issuer's signing keys, fetched over HTTP and cached, with key rollover
- `dev_issuer`    the development issuer of Entra-shaped tokens, and its JWKS
- `contact`       recipient data: mobile numbers (E.164) and personal identity / coordination numbers
"""
