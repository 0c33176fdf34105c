"""Recipient accounts: their data key and sealed values, the directory index, and the Actor of a signed-in holder.

Every secret of an account sits under the account's own data key (`RecipientAccount.wrapped_key`, wrapped by the
keyring like a message's key, with the account in its associated data): each method's phone number or seed with
the part `method:<id>`, the personal identity number with the part `personal-number`. `sigill keys rewrap` moves
the one wrapped key (messaging.wrapped_keys); nothing sealed under it changes.

The directory index files accounts, in every organisation, under a keyed digest of their address (and of the
holder's personal number, for sign-in with BankID and Freja eID). An entry is written before the account it points to, so a
crash between the two leaves an entry that points at nothing, never an account that cannot be found; readers
always check the account itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from identity.addresses import canonical_address
from messaging.errors import NotFound
from messaging.model import Actor
from messaging.ports import DataKey, Deps
from messaging.sealing import associated_data
from store.records import AuthMethod, Organisation, RecipientAccount

# Lookup-hash purposes. The phone and personal-number ones are those link deliveries use, so a number digests
# alike wherever it is stored.
PHONE_PURPOSE: Final = "phone"
PERSONAL_NUMBER_PURPOSE: Final = "personal-number"
EMAIL_INDEX_PURPOSE: Final = "account-index-email"
PERSONAL_NUMBER_INDEX_PURPOSE: Final = "account-index-personal-number"
ACCOUNT_ID_PURPOSE: Final = "recipient-account-id"
PERSONAL_NUMBER_PART: Final = "personal-number"


@dataclass(frozen=True, slots=True)
class AccountRef:
    """An account as a session remembers it: which organisation, which account."""

    org_id: str
    account_id: str

    def __str__(self) -> str:
        return f"{self.org_id}/{self.account_id}"

    @classmethod
    def parse(cls, value: str | None) -> AccountRef | None:
        org_id, _, account_id = (value or "").partition("/")
        return cls(org_id, account_id) if org_id and account_id and "/" not in account_id else None

    @classmethod
    def of(cls, account: RecipientAccount) -> AccountRef:
        return cls(account.org_id, account.account_id)


def account_id_for(deps: Deps, org_id: str, address: str) -> str:
    """The id of the account at `address` in `org_id`: the same for every invitation, so two cannot make two."""
    return deps.lookup.digest(ACCOUNT_ID_PURPOSE, f"{org_id}\x1f{canonical_address(address)}")[:32]


def email_index_key(deps: Deps, address: str) -> str:
    return deps.lookup.digest(EMAIL_INDEX_PURPOSE, canonical_address(address))


def personal_number_index_key(deps: Deps, personal_number: str) -> str:
    return deps.lookup.digest(PERSONAL_NUMBER_INDEX_PURPOSE, personal_number)


def account_key_ad(account: RecipientAccount) -> bytes:
    return associated_data(account.org_id, account.account_id, "account-key")


def method_part(method: AuthMethod) -> str:
    return f"method:{method.method_id}"


async def account_key(deps: Deps, account: RecipientAccount) -> DataKey:
    """The account's data key; made (and set on the record, for the caller to store) if it has none yet."""
    if account.wrapped_key is None:
        key, account.wrapped_key = await deps.envelope.new_data_key(account_key_ad(account))
        return key
    return await deps.envelope.open_data_key(account.wrapped_key, account_key_ad(account))


async def seal(deps: Deps, account: RecipientAccount, part: str, text: str) -> bytes:
    key = await account_key(deps, account)
    return key.encrypt(text.encode(), associated_data(account.org_id, account.account_id, part))


async def unseal(deps: Deps, account: RecipientAccount, part: str, sealed: bytes) -> str:
    """The plaintext of a value sealed under the account's key; crypto's DecryptionError if it does not open."""
    key = await account_key(deps, account)
    return key.decrypt(sealed, associated_data(account.org_id, account.account_id, part)).decode()


def sms_method(account: RecipientAccount, *, confirmed: bool = True) -> AuthMethod | None:
    """The SMS method a code goes to: the default one first, then the newest; only confirmed ones unless asked."""
    candidates = [m for m in account.methods if m.kind == "sms" and (m.confirmed_at is not None) == confirmed]
    candidates.sort(key=lambda m: (not m.is_default, -m.created_at.timestamp()))
    return candidates[0] if candidates else None


async def phone_of(deps: Deps, account: RecipientAccount, method: AuthMethod) -> str:
    return await unseal(deps, account, method_part(method), method.sealed)


async def set_unconfirmed_phone(
    deps: Deps, account: RecipientAccount, phone: str, now: datetime
) -> AuthMethod:
    """Put `phone` (E.164) on the account as an SMS method still to be confirmed, replacing any unconfirmed one."""
    account.methods = [m for m in account.methods if not (m.kind == "sms" and m.confirmed_at is None)]
    method = AuthMethod(
        method_id=deps.new_id(),
        kind="sms",
        sealed=b"",
        created_at=now,
        lookup_hash=deps.lookup.digest(PHONE_PURPOSE, phone),
    )
    method.sealed = await seal(deps, account, method_part(method), phone)
    account.methods.append(method)
    return method


def confirm_method(account: RecipientAccount, method_id: str, now: datetime) -> None:
    """Mark a method proven; the first confirmed method of an account becomes its default."""
    has_default = any(m.is_default and m.confirmed_at is not None for m in account.methods)
    for method in account.methods:
        if method.method_id == method_id:
            method.confirmed_at = now
            method.is_default = method.is_default or not has_default


async def set_personal_number(deps: Deps, account: RecipientAccount, personal_number: str) -> None:
    """Store the holder's personal identity number (12 digits), sealed and as a keyed digest."""
    account.sealed_personal_number = await seal(deps, account, PERSONAL_NUMBER_PART, personal_number)
    account.personal_number_hash = deps.lookup.digest(PERSONAL_NUMBER_PURPOSE, personal_number)


async def personal_number_of(deps: Deps, account: RecipientAccount) -> str | None:
    if account.sealed_personal_number is None:
        return None
    return await unseal(deps, account, PERSONAL_NUMBER_PART, account.sealed_personal_number)


def is_holder(deps: Deps, account: RecipientAccount, personal_number: str) -> bool:
    """Whether the account's stored personal number is `personal_number` (False when it has none)."""
    stored = account.personal_number_hash
    return stored is not None and deps.lookup.matches(stored, PERSONAL_NUMBER_PURPOSE, personal_number)


async def _indexed(deps: Deps, key_hash: str) -> list[RecipientAccount]:
    """The active accounts filed under `key_hash`, in every organisation."""
    entry = await deps.store.account_index(key_hash)
    found: list[RecipientAccount] = []
    for ref in (AccountRef.parse(value) for value in (entry.accounts if entry else [])):
        if ref is not None and (account := await load(deps, ref)) is not None:
            found.append(account)
    return found


async def accounts_at_address(deps: Deps, address: str) -> list[RecipientAccount]:
    """Every active account at `address`, in every organisation."""
    address = canonical_address(address)
    return [a for a in await _indexed(deps, email_index_key(deps, address)) if a.email == address]


async def accounts_of_person(deps: Deps, personal_number: str) -> list[RecipientAccount]:
    """Every active account whose stored personal number is `personal_number`, in every organisation."""
    found = await _indexed(deps, personal_number_index_key(deps, personal_number))
    return [a for a in found if is_holder(deps, a, personal_number)]


async def index_address(deps: Deps, account: RecipientAccount) -> None:
    await deps.store.index_account(email_index_key(deps, account.email), str(AccountRef.of(account)))


async def index_personal_number(deps: Deps, account: RecipientAccount, personal_number: str) -> None:
    key = personal_number_index_key(deps, personal_number)
    await deps.store.index_account(key, str(AccountRef.of(account)))


async def load(deps: Deps, ref: AccountRef) -> RecipientAccount | None:
    """The account a session names, if it still exists and is active."""
    async with deps.store.unit_of_work(ref.org_id) as uow:
        account = await uow.recipients.get(ref.account_id)
    return account if account is not None and account.status == "active" else None


async def organisations_of(deps: Deps, accounts: list[RecipientAccount]) -> dict[str, Organisation]:
    found = {}
    for org_id in dict.fromkeys(a.org_id for a in accounts):
        org = await deps.store.organisation(org_id)
        if org is not None:
            found[org_id] = org
    return found


def account_actor(account: RecipientAccount, *, loa: int, method: str) -> Actor:
    """The holder, signed in at `loa` with `method` ("password+sms", "bankid", "freja", "siths")."""
    return Actor(
        org_id=account.org_id,
        user_id=account.account_id,
        email=account.email,
        name=account.name,
        loa=loa,
        kind="recipient",
        sign_in_method=method,
    )


async def account_for_staff(deps: Deps, actor: Actor, account_id: str) -> RecipientAccount:
    """An account of the actor's organisation, as its staff see it (others get NotFound, as for absent ones)."""
    if actor.kind != "staff":
        raise NotFound("account")
    async with deps.store.unit_of_work(actor.org_id) as uow:
        account = await uow.recipients.get(account_id)
    if account is None:
        raise NotFound("account")
    return account
