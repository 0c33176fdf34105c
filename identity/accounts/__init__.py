"""Registered recipient accounts, as far as identity goes: what a password must be, when tries lock, what is shown.

- `passwords`  the password policy (length, the shipped list of common passwords) and argon2id hashing
- `lockout`    counting failed tries of a secret in a window, and the lock that follows
- `masking`    how a phone number is shown to its holder ("+46 70 *** ** 67")

The records are `store.records.RecipientAccount` and its `AuthMethod` entries; the rules that read and write them
(invitations, sign-in, step-up) are in `messaging.accounts`, `messaging.invitations` and `messaging.account_signin`.
"""
