"""E-identification at LoA3: BankID, Freja eID and SITHS (through an OpenID provider).

- `service`   `EidService`: start / collect / cancel a BankID or Freja eID identification, one shape for both
- `bankid`    the BankID relying-party API v6.0, the animated QR code and the autostart link
- `freja`     the Freja eID REST API, with the signed result verified against trusted certificates
- `oidc`      `OidcService`: SITHS sign-in by authorization code + PKCE, and the ID token's checks
- `messages`  what the waiting person is told (BankID's recommended RFA texts), Swedish and English
- `http`      mutual TLS and one error for every transport failure
- `person`    `IdentifiedPerson`, whose personal number never appears in a repr or a log

The built-in simulators that speak these protocols in development and tests are in `identity.simulators`.
"""
