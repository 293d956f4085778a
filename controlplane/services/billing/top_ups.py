"""Top-ups: a customer starts a payment through a provider; its confirmation credits the
wallet exactly once."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping

from tortoise.transactions import in_transaction

from controlplane.db.models import TopUp, User
from controlplane.services.billing.ledger import Entry, Leg, Reference, post
from controlplane.services.billing.providers import PaymentProvider
from controlplane.services.billing.wallets import WalletOwner, open_wallet, platform_account
from controlplane.services.clock import Clock
from controlplane.services.errors import Conflict, Invalid, NotFound
from controlplane.services.ids import parse_id
from controlplane.services.ownership import visible_to
from controlplane.services.paging import page
from shared.enums import LedgerAccountKind, TopUpStatus, TransactionType
from shared.wire.billing import TopUpList, TopUpListQuery, TopUpOut, TopUpRequest

# Read aloud and typed from a bank statement: no 0/O or 1/I to confuse.
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "MP-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10))


def top_up_key(top_up_id: uuid.UUID) -> str:
    return f"top-up:{top_up_id}"


async def list_top_ups(actor: User, query: TopUpListQuery) -> TopUpList:
    """A customer's own; administrators all, to find the one a payment's reference names."""
    qs = visible_to(actor, TopUp.all(), query.user_id)
    if query.status is not None:
        qs = qs.filter(status=query.status)
    if query.reference is not None:
        qs = qs.filter(reference=query.reference.upper())
    rows, pagination = await page(qs, query, "created_at")
    return TopUpList(top_ups=[TopUpOut.model_validate(t) for t in rows], pagination=pagination)


class TopUps:
    def __init__(
        self, providers: Mapping[str, PaymentProvider], currency: str, clock: Clock
    ) -> None:
        self._providers = dict(providers)
        self._currency = currency
        self._clock = clock

    async def start(self, actor: User, body: TopUpRequest) -> TopUpOut:
        provider = self._providers.get(body.provider)
        if provider is None:
            raise Invalid.field("provider", f"one of {sorted(self._providers)}")
        owner = WalletOwner.user(actor.id)
        top_up = TopUp(
            id=uuid.uuid4(),
            owner_type=owner.type,
            owner_id=owner.id,
            user_id=actor.id,
            amount=body.amount,
            currency=self._currency,
            provider=provider.name,
            status=TopUpStatus.PENDING,
            reference=new_reference(),
            instructions="",
        )
        started = await provider.start(top_up)
        top_up.instructions = started.instructions
        await top_up.save()
        return TopUpOut.model_validate(top_up)

    async def confirm(self, actor: User, raw_id: str) -> TopUpOut:
        """An administrator saw the money arrive: TOP_UP from payment clearing to the wallet.
        A second confirm is refused (409) and credits nothing: the row is locked and
        its status checked, and the ledger key would refuse a second posting anyway."""
        top_up_id = parse_id(raw_id, "Top-up")
        async with in_transaction():
            top_up = await TopUp.filter(id=top_up_id).select_for_update().first()
            if top_up is None:
                raise NotFound("Top-up not found")
            if top_up.status is TopUpStatus.CONFIRMED:
                raise Conflict(
                    f"Top-up {top_up.reference} was already confirmed; the wallet was credited once"
                )
            owner = WalletOwner(top_up.owner_type, top_up.owner_id)
            wallet = await open_wallet(owner, top_up.currency)
            clearing = await platform_account(LedgerAccountKind.PAYMENT_CLEARING, top_up.currency)
            transaction, _ = await post(
                Entry(
                    key=top_up_key(top_up.id),
                    type=TransactionType.TOP_UP,
                    currency=top_up.currency,
                    reference=Reference("top_up", str(top_up.id)),
                    legs=(Leg(wallet, top_up.amount), Leg(clearing, -top_up.amount)),
                    actor_id=actor.id,
                    reason=f"{top_up.provider} payment {top_up.reference}",
                )
            )
            top_up.status = TopUpStatus.CONFIRMED
            top_up.transaction_id = transaction.id
            top_up.confirmed_by = actor.id
            top_up.confirmed_at = self._clock()
            await top_up.save(
                update_fields=["status", "transaction_id", "confirmed_by", "confirmed_at"]
            )
        return TopUpOut.model_validate(top_up)
