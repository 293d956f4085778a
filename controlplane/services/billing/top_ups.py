"""Top-ups: a customer starts a payment through a provider; its confirmation credits the
wallet exactly once."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Mapping

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from controlplane.db.models import PaymentEvent, TopUp, User
from controlplane.services.billing.ledger import Entry, Leg, Reference, post
from controlplane.services.billing.notices import Notices
from controlplane.services.billing.providers import (
    ManualTransfer,
    Outcome,
    PaymentNotice,
    PaymentProvider,
)
from controlplane.services.billing.wallets import (
    AfterCredit,
    WalletOwner,
    open_wallet,
    platform_account,
    settle,
)
from controlplane.services.clock import Clock
from controlplane.services.errors import Conflict, Invalid, NotFound
from controlplane.services.ids import parse_id
from controlplane.services.ownership import Acting, in_team
from controlplane.services.paging import page
from shared.enums import LedgerAccountKind, TopUpStatus, TransactionType
from shared.money import format_amount
from shared.wire.billing import (
    PaymentReceipt,
    TopUpList,
    TopUpListQuery,
    TopUpOut,
    TopUpRequest,
)

log = logging.getLogger("minispod.billing")

# Read aloud and typed from a bank statement: no 0/O or 1/I to confuse.
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "MP-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10))


def top_up_key(top_up_id: uuid.UUID) -> str:
    return f"top-up:{top_up_id}"


async def list_top_ups(who: Acting, query: TopUpListQuery) -> TopUpList:
    """The team's; administrators all, to find the one a payment's reference names."""
    qs = in_team(who, TopUp.all(), query.user_id, by="owner_id")
    if query.status is not None:
        qs = qs.filter(status=query.status)
    if query.reference is not None:
        qs = qs.filter(reference=query.reference.upper())
    rows, pagination = await page(qs, query, "created_at")
    return TopUpList(top_ups=[TopUpOut.model_validate(t) for t in rows], pagination=pagination)


class TopUps:
    def __init__(
        self,
        providers: Mapping[str, PaymentProvider],
        notices: Notices,
        currency: str,
        clock: Clock,
        after_credit: AfterCredit | None = None,
    ) -> None:
        self._providers = dict(providers)
        self._notices = notices
        self._currency = currency
        self._clock = clock
        self._after_credit = after_credit

    async def start(self, who: Acting, body: TopUpRequest) -> TopUpOut:
        actor = who.user
        provider = self._providers.get(body.provider)
        if provider is None:
            raise Invalid.field("provider", f"one of {sorted(self._providers)}")
        owner = WalletOwner.team(who.team_id)
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
        top_up.redirect_url = started.redirect_url
        top_up.provider_ref = started.provider_ref
        await top_up.save()
        return TopUpOut.model_validate(top_up)

    async def confirm(self, actor: User, raw_id: str) -> TopUpOut:
        """An administrator saw a bank transfer arrive. A second confirm is refused (409)
        and credits nothing: the row is locked and its status checked, and the ledger key
        would refuse a second posting anyway."""
        top_up_id = parse_id(raw_id, "Top-up")
        async with in_transaction():
            top_up = await TopUp.filter(id=top_up_id).select_for_update().first()
            if top_up is None:
                raise NotFound("Top-up not found")
            if top_up.provider != ManualTransfer.name:
                # Only the provider knows whether its customer paid: its signed event
                # confirms, never a person reading a dashboard.
                raise Conflict(f"A {top_up.provider} top-up is confirmed by {top_up.provider}")
            if top_up.status is TopUpStatus.CONFIRMED:
                raise Conflict(
                    f"Top-up {top_up.reference} was already confirmed; the wallet was credited once"
                )
            await self._credit(top_up, actor.id)
        await self._settle_owner(top_up)
        return TopUpOut.model_validate(top_up)

    async def _credit(self, top_up: TopUp, actor_id: uuid.UUID | None) -> None:
        """The one way a top-up credits its wallet, whoever confirms it: TOP_UP from payment
        clearing to the wallet under the top-up's key, inside the caller's transaction
        with the top-up's row locked."""
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
                actor_id=actor_id,
                reason=f"{top_up.provider} payment {top_up.reference}",
            ),
            self._notices,
        )
        top_up.status = TopUpStatus.CONFIRMED
        top_up.transaction_id = transaction.id
        top_up.confirmed_by = actor_id
        top_up.confirmed_at = self._clock()
        await top_up.save(
            update_fields=["status", "transaction_id", "confirmed_by", "confirmed_at"]
        )

    async def _settle_owner(self, top_up: TopUp) -> None:
        await settle(self._after_credit, WalletOwner(top_up.owner_type, top_up.owner_id))

    async def apply(self, notice: PaymentNotice) -> PaymentReceipt:
        """A provider's verified event, acted on once: the event's id is recorded in the
        transaction that acts on it, so a redelivery or a replay (seen before, or being
        acted on right now by a concurrent delivery) changes nothing."""
        seen = PaymentEvent.filter(provider=notice.provider, event_id=notice.event_id)
        credited: TopUp | None = None
        try:
            async with in_transaction():
                if await seen.exists():
                    return PaymentReceipt(event_id=notice.event_id, outcome="duplicate")
                outcome, credited = await self._act(notice)
                await PaymentEvent.create(
                    id=uuid.uuid4(),
                    type=notice.type,
                    top_up_id=notice.top_up_id,
                    outcome=outcome,
                    provider=notice.provider,
                    event_id=notice.event_id,
                )
        except IntegrityError:
            # A concurrent delivery of the same event recorded it first; ours rolled back.
            if not await seen.exists():
                raise
            return PaymentReceipt(event_id=notice.event_id, outcome="duplicate")
        if credited is not None:
            await self._settle_owner(credited)
        return PaymentReceipt(event_id=notice.event_id, outcome=outcome)

    async def _act(self, notice: PaymentNotice) -> tuple[str, TopUp | None]:
        """What the event does to its top-up (locked): the outcome, and the top-up if it
        was credited now."""
        if notice.outcome is Outcome.IGNORED or notice.top_up_id is None:
            return f"ignored: {notice.type} changes no top-up", None
        top_up = await TopUp.filter(id=notice.top_up_id).select_for_update().first()
        if (
            top_up is None
            or top_up.provider != notice.provider
            or top_up.provider_ref != notice.provider_ref
        ):
            log.warning("%s event %s names no top-up of ours", notice.provider, notice.event_id)
            return "ignored: no such top-up", None
        if notice.outcome is Outcome.PAID:
            if top_up.status is TopUpStatus.CONFIRMED:
                return "ignored: already credited", None
            if (notice.amount, notice.currency) != (top_up.amount, top_up.currency):
                # Never credit an amount other than the one paid; a person looks at it.
                log.error(
                    "%s event %s paid %s %s for top-up %s of %s",
                    notice.provider,
                    notice.event_id,
                    notice.amount,
                    notice.currency,
                    top_up.id,
                    format_amount(top_up.amount, top_up.currency),
                )
                return "ignored: the amount paid is not the top-up's", None
            await self._credit(top_up, None)
            return "credited", top_up
        if top_up.status is not TopUpStatus.PENDING:
            return f"ignored: the top-up is already {top_up.status.value}", None
        top_up.status = (
            TopUpStatus.FAILED if notice.outcome is Outcome.FAILED else TopUpStatus.EXPIRED
        )
        await top_up.save(update_fields=["status"])
        return top_up.status.value.lower(), None
