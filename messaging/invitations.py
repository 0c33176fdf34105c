"""Inviting a registered recipient, and the invited person taking the invitation up.

Staff invite by address (with a name, and perhaps a mobile number and a personal identity number). That makes
the account, `invited`, and e-mails the person a link `/konto/inbjudan/<org>/<account>/<token>`. Of the token
only a keyed digest is kept, on a `Challenge` (one per account: inviting again replaces the token, so only the
newest link works); it expires after `INVITATION_LIFETIME` and is used up when the account becomes active.

Taking it up is two steps, so a mistyped number never becomes the number codes go to: the person chooses a
password (identity.accounts.passwords) and gives a mobile number; a code is sent to it
(identity.one_time_codes); the right code activates the account, confirms the number as its default SMS
method and opens the account's mailbox. From then on messages to the address arrive in that mailbox.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from crypto.hashing import constant_time_equals
from identity.accounts.masking import masked_phone
from identity.accounts.passwords import check_password
from identity.contact import normalize_mobile, normalize_personal_number
from identity.errors import IdentityError, OneTimeCodeRefused
from identity.one_time_codes import CodeCheck, OneTimeCodes, challenge_id
from messaging import accounts, audit
from messaging.directory import organisation
from messaging.errors import Conflict, Forbidden, InvalidRequest, NotFound
from messaging.model import Actor
from messaging.ports import Deps
from messaging.sealing import seal_box
from messaging.validation import normalise_address
from store.errors import ConflictError
from store.ports import UnitOfWork
from store.records import Challenge, Mailbox, OutboxItem, RecipientAccount

INVITATION_PURPOSE: Final = "account-invitation"
INVITATION_LIFETIME: Final = timedelta(days=7)
# The one-time codes that confirm a mobile number, and those of a sign-in (identity.one_time_codes purposes).
PHONE_CODE_PURPOSE: Final = "account-phone"
NAME_MAX_CHARS: Final = 200
ATTEMPTS: Final = 3


class PasswordHashing(Protocol):
    async def hash_async(self, password: str) -> str: ...
    async def verify_async(self, password_hash: str, password: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class InvitationInput:
    email: str
    name: str
    phone: str | None = None
    personal_number: str | None = None


@dataclass(frozen=True, slots=True)
class Invitation:
    account: RecipientAccount
    expires_at: datetime
    # True when the address had an invitation already, which this one replaced.
    renewed: bool


@dataclass(frozen=True, slots=True)
class OpenInvitation:
    """An invitation whose link checked out: the account, its organisation's name, a number staff gave."""

    account: RecipientAccount
    org_name: str
    phone: str


def invitation_id(account_id: str) -> str:
    return f"invite-{account_id}"


def invitation_link(deps: Deps, account: RecipientAccount, token: str) -> str:
    return f"{deps.base_url}/konto/inbjudan/{account.org_id}/{account.account_id}/{token}"


def _token_digest(deps: Deps, invitation: str, token: str) -> str:
    return deps.lookup.digest(INVITATION_PURPOSE, f"{invitation}:{token}")


async def invite(deps: Deps, actor: Actor, new: InvitationInput) -> Invitation:
    """Invite someone to an account of the actor's organisation (staff only); audited, e-mailed through the outbox."""
    if actor.kind != "staff":
        raise Forbidden("staff_only", "Bara medarbetare kan bjuda in mottagare.")
    address, name, phone, personal_number = _checked(new)
    org = await organisation(deps, actor)
    account_id = accounts.account_id_for(deps, org.org_id, address)
    for _ in range(ATTEMPTS):
        async with deps.store.unit_of_work(org.org_id) as uow:
            await _check_address_free(uow, address, account_id)
            account = await uow.recipients.get(account_id)
            renewed = account is not None
            if account is None:
                account = RecipientAccount(org.org_id, account_id, address, name, status="invited")
                account.created_at = deps.clock()
            account.name, account.invited_by = name, actor.user_id
            if phone:
                await accounts.set_unconfirmed_phone(deps, account, phone, deps.clock())
            if personal_number:
                await accounts.set_personal_number(deps, account, personal_number)
            (uow.recipients.update if renewed else uow.recipients.add)(account)
            token = deps.new_token()
            expires_at = await _stage_challenge(deps, uow, account, token)
            uow.outbox.add(await _invitation_mail(deps, actor, account, token, expires_at))
            uow.audit.append(
                audit.event(
                    actor,
                    "account.invited",
                    f"account:{account_id}",
                    deps.clock(),
                    renewed="yes" if renewed else "no",
                    phone="yes" if phone else "no",
                    personal_number="yes" if personal_number else "no",
                )
            )
            # Filed in the directory before the account is stored: a crash between the two leaves an entry that
            # points at nothing, never an account sign-in cannot find.
            await accounts.index_address(deps, account)
            if personal_number:
                await accounts.index_personal_number(deps, account, personal_number)
            try:
                await uow.commit()
            except ConflictError:
                continue  # a parallel invitation of the same address; look again
        return Invitation(account, expires_at, renewed)
    raise ConflictError("the invitation kept changing")


def _checked(new: InvitationInput) -> tuple[str, str, str | None, str | None]:
    try:
        address = normalise_address(new.email)
    except InvalidRequest:
        raise InvalidRequest(
            "email_invalid", "Ange en giltig e-postadress.", "email is not a valid e-mail address."
        ) from None
    name = " ".join(new.name.split())
    if not name or len(name) > NAME_MAX_CHARS:
        raise InvalidRequest(
            "name_invalid",
            f"Ange mottagarens namn (högst {NAME_MAX_CHARS} tecken).",
            f"name must be 1 to {NAME_MAX_CHARS} characters.",
        )
    try:
        phone = normalize_mobile(new.phone) if new.phone else None
        personal_number = normalize_personal_number(new.personal_number) if new.personal_number else None
    except IdentityError as exc:
        raise InvalidRequest(exc.code, exc.message_sv, exc.code.replace("_", " ")) from None
    return address, name, phone, personal_number


async def _check_address_free(uow: UnitOfWork, address: str, account_id: str) -> None:
    """An address that is a staff user's, a mailbox's or an active account's cannot be invited."""
    existing = await uow.recipients.by_email(address)
    if existing is not None and (existing.account_id != account_id or existing.status != "invited"):
        raise Conflict("account_exists", "Det finns redan ett konto med den e-postadressen.")
    if await uow.staff.by_email(address) is not None or await uow.mailboxes.get(address) is not None:
        raise Conflict(
            "address_taken",
            "Adressen tillhör redan en medarbetare eller en funktionsbrevlåda i organisationen.",
        )


async def _stage_challenge(deps: Deps, uow: UnitOfWork, account: RecipientAccount, token: str) -> datetime:
    now = deps.clock()
    wanted = invitation_id(account.account_id)
    challenge = await uow.challenges.get(wanted)
    fresh = challenge is None
    if challenge is None:
        challenge = Challenge(account.org_id, wanted, INVITATION_PURPOSE, account.account_id, "", now, now)
    challenge.code_hash = _token_digest(deps, wanted, token)
    challenge.created_at, challenge.expires_at = now, now + INVITATION_LIFETIME
    challenge.consumed_at, challenge.attempts = None, 0
    (uow.challenges.add if fresh else uow.challenges.update)(challenge)
    return challenge.expires_at


async def _invitation_mail(
    deps: Deps, actor: Actor, account: RecipientAccount, token: str, expires_at: datetime
) -> OutboxItem:
    payload = {
        "kind": "invitation",
        "to": account.email,
        "name": account.name,
        "sender": actor.name,
        "link": invitation_link(deps, account, token),
        "expires_at": expires_at.isoformat(),
    }
    item_id = deps.new_id()
    sealed = await seal_box(
        deps.envelope, account.org_id, item_id, "outbox", json.dumps(payload, ensure_ascii=False).encode()
    )
    now = deps.clock()
    return OutboxItem(account.org_id, item_id, "email", sealed, created_at=now, next_attempt_at=now)


async def open_invitation(deps: Deps, org_id: str, account_id: str, token: str) -> OpenInvitation:
    """The invitation a link names, if its token is the newest one and it is neither used nor expired.

    NotFound("invitation") for every other case alike. Reads only: a mail scanner fetching the link changes
    nothing.
    """
    account, _ = await _live_invitation(deps, org_id, account_id, token)
    org = await deps.store.organisation(org_id)
    method = accounts.sms_method(account, confirmed=False)
    phone = await accounts.phone_of(deps, account, method) if method is not None else ""
    return OpenInvitation(account, org.name if org else "", phone)


async def _live_invitation(
    deps: Deps, org_id: str, account_id: str, token: str | None
) -> tuple[RecipientAccount, Challenge]:
    """The invited account and its challenge; `token` None means the caller's session already proved it."""
    if not org_id or not account_id or await deps.store.organisation(org_id) is None:
        raise NotFound("invitation")
    async with deps.store.unit_of_work(org_id) as uow:
        account = await uow.recipients.get(account_id)
        challenge = await uow.challenges.get(invitation_id(account_id))
    if account is None or account.status != "invited" or challenge is None:
        raise NotFound("invitation")
    if challenge.consumed_at is not None or deps.clock() >= challenge.expires_at:
        raise NotFound("invitation")
    if token is not None and not constant_time_equals(
        challenge.code_hash, _token_digest(deps, challenge.challenge_id, token)
    ):
        raise NotFound("invitation")
    return account, challenge


class Acceptance:
    """The invited person's steps: choose a password and a number, then confirm the number with a code."""

    def __init__(self, deps: Deps, codes: OneTimeCodes, passwords: PasswordHashing) -> None:
        self._deps = deps
        self._codes = codes
        self._passwords = passwords

    async def choose(
        self, ref: accounts.AccountRef, token: str, password: str, repeated: str, phone: str
    ) -> CodeSent:
        """Check the token again, store the password's hash and the number (unconfirmed), send a code."""
        deps = self._deps
        account, _ = await _live_invitation(deps, ref.org_id, ref.account_id, token)
        check_password(password, email=account.email)
        if password != repeated:
            raise InvalidRequest(
                "password_mismatch", "Lösenorden är inte lika. Skriv samma lösenord två gånger."
            )
        try:
            number = normalize_mobile(phone)
        except IdentityError as exc:
            raise InvalidRequest(exc.code, exc.message_sv, exc.code.replace("_", " ")) from None
        password_hash = await self._passwords.hash_async(password)
        for _ in range(ATTEMPTS):
            async with deps.store.unit_of_work(ref.org_id) as uow:
                fresh = await uow.recipients.get(ref.account_id)
                if fresh is None or fresh.status != "invited":
                    raise NotFound("invitation")
                fresh.password_hash, fresh.password_changed_at = password_hash, deps.clock()
                await accounts.set_unconfirmed_phone(deps, fresh, number, deps.clock())
                uow.recipients.update(fresh)
                # A code sent to an earlier number must not confirm this one: it dies here (the send limit
                # still counts it, so changing numbers is no way round the limit).
                earlier = await uow.challenges.get(challenge_id(PHONE_CODE_PURPOSE, ref.account_id))
                if earlier is not None and earlier.consumed_at is None:
                    earlier.consumed_at = deps.clock()
                    uow.challenges.update(earlier)
                try:
                    await uow.commit()
                except ConflictError:
                    continue
            return await self.send_code(ref)
        raise ConflictError("the invited account kept changing")

    async def send_code(self, ref: accounts.AccountRef) -> CodeSent:
        """A code to the number being confirmed; when codes went too often, say when the next may go instead."""
        deps = self._deps
        account, _ = await _live_invitation(deps, ref.org_id, ref.account_id, None)
        method = accounts.sms_method(account, confirmed=False)
        if method is None:
            raise NotFound("invitation")
        phone = await accounts.phone_of(deps, account, method)
        return await send_sms_code(deps, self._codes, account, PHONE_CODE_PURPOSE, phone)

    async def confirm(self, ref: accounts.AccountRef, code: str) -> tuple[CodeCheck, RecipientAccount | None]:
        """Check the code; the right one activates the account (returned), opens its mailbox, uses the invitation."""
        deps = self._deps
        await _live_invitation(deps, ref.org_id, ref.account_id, None)
        async with deps.store.unit_of_work(ref.org_id) as uow:
            check = await check_sms_code(deps, self._codes, uow, ref, PHONE_CODE_PURPOSE, code)
            if not check.accepted:
                await uow.commit()
                return check, None
            account = await uow.recipients.get(ref.account_id)
            challenge = await uow.challenges.get(invitation_id(ref.account_id))
            method = accounts.sms_method(account, confirmed=False) if account else None
            if account is None or challenge is None or method is None or account.status != "invited":
                raise NotFound("invitation")
            await _activate(deps, uow, account, challenge, method.method_id)
            await uow.commit()
        return check, account


async def _activate(
    deps: Deps, uow: UnitOfWork, account: RecipientAccount, challenge: Challenge, method_id: str
) -> None:
    now = deps.clock()
    accounts.confirm_method(account, method_id, now)
    # Earlier confirmed numbers give way to the one just proven.
    account.methods = [m for m in account.methods if m.kind != "sms" or m.method_id == method_id]
    account.status, account.activated_at = "active", now
    challenge.consumed_at = now
    uow.recipients.update(account)
    uow.challenges.update(challenge)
    # Added, never updated: an address that became a mailbox meanwhile makes the commit fail.
    uow.mailboxes.add(Mailbox(account.org_id, account.email, account.name, "personal", [account.account_id]))
    actor = accounts.account_actor(account, loa=2, method="password+sms")
    uow.audit.append(audit.event(actor, "account.activated", f"account:{account.account_id}", now))


@dataclass(frozen=True, slots=True)
class CodeSent:
    masked_phone: str
    retry_at: datetime | None = None


async def send_sms_code(
    deps: Deps, codes: OneTimeCodes, account: RecipientAccount, purpose: str, phone: str
) -> CodeSent:
    """Issue a one-time code for `account` and `purpose` and put its SMS in the outbox, in one commit.

    When no code may go now (sent too recently, or locked), nothing is sent and `retry_at` says until when;
    a code sent earlier still works meanwhile.
    """
    async with deps.store.unit_of_work(account.org_id) as uow:
        challenge = await uow.challenges.get(challenge_id(purpose, account.account_id))
        fresh = challenge is None
        if challenge is None:
            challenge = codes.new_challenge(account.org_id, purpose, account.account_id)
        try:
            code = codes.issue(challenge)
        except OneTimeCodeRefused:
            return CodeSent(masked_phone(phone), codes.next_send_at(challenge) or deps.clock())
        (uow.challenges.add if fresh else uow.challenges.update)(challenge)
        uow.outbox.add(await _sms_item(deps, account.org_id, phone, code))
        await uow.commit()
    return CodeSent(masked_phone(phone))


async def check_sms_code(
    deps: Deps, codes: OneTimeCodes, uow: UnitOfWork, ref: accounts.AccountRef, purpose: str, typed: str
) -> CodeCheck:
    """Check a typed code in `uow` (the caller commits, so a wrong try is counted with whatever else it writes)."""
    challenge = await uow.challenges.get(challenge_id(purpose, ref.account_id))
    if challenge is None:
        return CodeCheck("expired", tries_left=codes.policy.max_wrong)
    check = codes.check(challenge, typed)
    uow.challenges.update(challenge)
    return check


SMS_TEXT: Final = "Din kod till Sigill: {code}. Den gäller i 10 minuter. Ge aldrig koden till någon annan."


async def _sms_item(deps: Deps, org_id: str, phone: str, code: str) -> OutboxItem:
    payload = {"kind": "sms", "to": phone, "text": SMS_TEXT.format(code=code)}
    item_id = deps.new_id()
    sealed = await seal_box(deps.envelope, org_id, item_id, "outbox", json.dumps(payload).encode())
    now = deps.clock()
    return OutboxItem(org_id, item_id, "sms", sealed, created_at=now, next_attempt_at=now)
