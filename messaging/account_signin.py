"""Signing a recipient account's holder in: password then SMS code (LoA2), or e-ID (LoA3); and stepping up.

Password. The address is looked up in every organisation (messaging.accounts). An address without an account
costs the same argon2id work as a wrong password, counts against the same throttle and gets the same answer
(`CredentialsRefused`), so nobody learns which addresses have accounts. Failed tries are counted per address
(a directory `Throttle`) and per account (`password_tries`), by one rule (identity.accounts.lockout): the fifth
failure within 15 minutes locks for 15 minutes, and a locked secret is refused unchecked (`TooManyTries`). A
right password returns every account at the address it opens; when there are several (one address, several
organisations) the person chooses, and then proves the number with a code (identity.one_time_codes).

E-ID. BankID and Freja eID name a person by personal identity number: the accounts whose stored number it is
may be signed in at LoA3. SITHS names an e-mail address: the accounts at it. Stepping up from LoA2 needs the
same person: the stored personal number must match; with SITHS the address must be the account's. An account
with no stored personal number cannot use BankID or Freja eID at all: binding the first number that comes along
would let anyone who has the password and the phone (LoA2) make their own e-ID the account's LoA3. A mismatch
signs nobody in and is audited.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import datetime
from typing import Final

from identity.accounts import lockout
from identity.addresses import canonical_address
from identity.one_time_codes import CodeCheck, OneTimeCodes
from messaging import accounts, audit
from messaging.accounts import AccountRef
from messaging.errors import CredentialsRefused, IdentityMismatch, NotFound, TooManyTries
from messaging.invitations import CodeSent, PasswordHashing, check_sms_code, send_sms_code
from messaging.model import Actor
from messaging.ports import Deps
from store.errors import ConflictError
from store.records import AuditEvent, RecipientAccount, Throttle

SIGN_IN_CODE_PURPOSE: Final = "account-sign-in"
ADDRESS_THROTTLE_PURPOSE: Final = "sign-in-address"
PASSWORD_SMS: Final = "password+sms"  # noqa: S105 - the name of a sign-in method
# How an e-ID sign-in or step-up came about: "bankid", "freja" or "siths" (the audit trail says which).
type EidKind = str
ATTEMPTS: Final = 3
# Longer input is no address and no password of ours; it is refused before any work is done on it.
MAX_INPUT: Final = 1024


class AccountSignIn:
    def __init__(
        self,
        deps: Deps,
        codes: OneTimeCodes,
        passwords: PasswordHashing,
        *,
        policy: lockout.LockoutPolicy = lockout.DEFAULT_POLICY,
    ) -> None:
        self._deps = deps
        self._codes = codes
        self._passwords = passwords
        self._policy = policy
        self._decoy_hash: str | None = None

    # -- password, then a code ----------------------------------------------------------------------

    async def password(self, address: str, password: str) -> list[RecipientAccount]:
        """The accounts at `address` that `password` opens; CredentialsRefused or TooManyTries otherwise."""
        deps, now = self._deps, self._deps.clock()
        address = canonical_address(address[:MAX_INPUT])
        throttle_id = deps.lookup.digest(ADDRESS_THROTTLE_PURPOSE, address)
        throttle = await deps.store.throttle(throttle_id)
        until = lockout.locked_until(throttle.tries if throttle else None, now)
        if until is not None:
            raise TooManyTries(until)
        candidates = await accounts.accounts_at_address(deps, address) if "@" in address else []
        opened = [a for a in candidates if await self._opens(a, password[:MAX_INPUT], now)]
        if not candidates:
            await self._decoy(password[:MAX_INPUT])
        if opened:
            await self._cleared(throttle, opened)
            return opened
        if await self._count_failure(throttle_id, candidates):
            raise TooManyTries(now + self._policy.lockout)
        raise CredentialsRefused()

    async def _opens(self, account: RecipientAccount, password: str, now: datetime) -> bool:
        if account.password_hash is None:
            await self._decoy(password)
            return False
        matches = await self._passwords.verify_async(account.password_hash, password)
        # A locked account is refused even with the right password, and looks like any refusal.
        return matches and lockout.locked_until(account.password_tries, now) is None

    async def _decoy(self, password: str) -> None:
        """The argon2id work a real check costs, so an address without an account answers just as slowly."""
        if self._decoy_hash is None:
            self._decoy_hash = await self._passwords.hash_async(secrets.token_urlsafe(24))
        await self._passwords.verify_async(self._decoy_hash, password)

    async def _count_failure(self, throttle_id: str, candidates: list[RecipientAccount]) -> bool:
        """Count the failure on the address and on each account there; True when the address is now locked."""
        deps = self._deps
        locked = False
        for _ in range(ATTEMPTS):
            throttle = await deps.store.throttle(throttle_id) or Throttle(throttle_id)
            locked = lockout.register_failure(throttle.tries, deps.clock(), self._policy)
            try:
                await deps.store.save_throttle(throttle)
                break
            except ConflictError:
                continue  # another failure was counted at the same moment; count this one on top
        for account in candidates:
            await self._count_account_failure(AccountRef.of(account))
        return locked

    async def _count_account_failure(self, ref: AccountRef) -> None:
        deps = self._deps
        for _ in range(ATTEMPTS):
            async with deps.store.unit_of_work(ref.org_id) as uow:
                account = await uow.recipients.get(ref.account_id)
                if account is None:
                    return
                locks = lockout.register_failure(account.password_tries, deps.clock(), self._policy)
                uow.recipients.update(account)
                uow.audit.append(self._event(account, "account.sign_in_failed", reason="password"))
                if locks:
                    uow.audit.append(self._event(account, "account.locked", reason="password"))
                try:
                    await uow.commit()
                    return
                except ConflictError:
                    continue

    async def _cleared(self, throttle: Throttle | None, opened: list[RecipientAccount]) -> None:
        """A right password clears the address's count and each opened account's (only where there is one)."""
        deps = self._deps
        if throttle is not None and lockout.register_success(throttle.tries):
            # A failure counted meanwhile stands (a conflict); the next success clears it.
            with contextlib.suppress(ConflictError):
                await deps.store.save_throttle(throttle)
        for account in opened:
            if lockout.register_success(account.password_tries):
                async with deps.store.unit_of_work(account.org_id) as uow:
                    uow.recipients.update(account)
                    # Changed meanwhile (a conflict): the count clears on the next success.
                    with contextlib.suppress(ConflictError):
                        await uow.commit()

    async def send_code(self, ref: AccountRef) -> CodeSent:
        """An SMS code to the account's number (its default SMS method) for the second step."""
        account = await self._account(ref)
        method = accounts.sms_method(account)
        if method is None:
            raise NotFound("account")
        phone = await accounts.phone_of(self._deps, account, method)
        return await send_sms_code(self._deps, self._codes, account, SIGN_IN_CODE_PURPOSE, phone)

    async def check_code(self, ref: AccountRef, code: str) -> tuple[CodeCheck, Actor | None]:
        """The second step: the right code signs the holder in at LoA2 (audited)."""
        deps = self._deps
        async with deps.store.unit_of_work(ref.org_id) as uow:
            check = await check_sms_code(deps, self._codes, uow, ref, SIGN_IN_CODE_PURPOSE, code)
            actor = None
            if check.accepted:
                account = await uow.recipients.get(ref.account_id)
                if account is None or account.status != "active":
                    raise NotFound("account")
                actor = accounts.account_actor(account, loa=2, method=PASSWORD_SMS)
                uow.audit.append(self._event(account, "account.signed_in", method=PASSWORD_SMS, loa="2"))
            await uow.commit()
        return check, actor

    # -- e-ID ---------------------------------------------------------------------------------------

    async def accounts_of_person(self, personal_number: str) -> list[RecipientAccount]:
        """The accounts a BankID or Freja eID identification may sign in to."""
        return await accounts.accounts_of_person(self._deps, personal_number)

    async def accounts_at_address(self, address: str) -> list[RecipientAccount]:
        """The accounts a SITHS sign-in (by its e-mail claim) may sign in to."""
        return await accounts.accounts_at_address(self._deps, address)

    async def signed_in_with_eid(self, ref: AccountRef, method: EidKind) -> Actor:
        """Sign in at LoA3 to an account the e-ID's person was found to hold (audited)."""
        account = await self._account(ref)
        async with self._deps.store.unit_of_work(ref.org_id) as uow:
            uow.audit.append(self._event(account, "account.signed_in", method=method, loa="3"))
            await uow.commit()
        return accounts.account_actor(account, loa=3, method=method)

    async def step_up(
        self,
        ref: AccountRef,
        method: EidKind,
        *,
        personal_number: str | None = None,
        email: str | None = None,
    ) -> Actor:
        """Raise a signed-in holder to LoA3 with an e-ID that identified the same person; IdentityMismatch if not."""
        account = await self._account(ref)
        same = self._same_person(account, personal_number, email)
        async with self._deps.store.unit_of_work(ref.org_id) as uow:
            uow.audit.append(
                self._event(account, "account.stepped_up", method=method, loa="3")
                if same
                else self._event(account, "account.step_up_refused", method=method)
            )
            await uow.commit()
        if not same:
            raise IdentityMismatch()
        return accounts.account_actor(account, loa=3, method=method)

    def _same_person(self, account: RecipientAccount, personal_number: str | None, email: str | None) -> bool:
        if email is not None:
            return canonical_address(email) == account.email
        return personal_number is not None and accounts.is_holder(self._deps, account, personal_number)

    async def offers_personal_eid(self, ref: AccountRef) -> bool:
        """Whether BankID and Freja eID can step this account up (only with a stored personal number)."""
        account = await self._account(ref)
        return account.personal_number_hash is not None

    async def personal_number(self, ref: AccountRef) -> str | None:
        """The account's stored personal number, to ask the e-ID provider for that person."""
        return await accounts.personal_number_of(self._deps, await self._account(ref))

    # -- helpers ------------------------------------------------------------------------------------

    async def actor(self, ref: AccountRef, *, loa: int, method: str) -> Actor | None:
        """The signed-in holder a session names, while the account is active."""
        account = await accounts.load(self._deps, ref)
        return accounts.account_actor(account, loa=loa, method=method) if account else None

    async def _account(self, ref: AccountRef) -> RecipientAccount:
        account = await accounts.load(self._deps, ref)
        if account is None:
            raise NotFound("account")
        return account

    def _event(self, account: RecipientAccount, action: str, **details: str) -> AuditEvent:
        actor = accounts.account_actor(account, loa=0, method="")
        return audit.event(actor, action, f"account:{account.account_id}", self._deps.clock(), **details)
