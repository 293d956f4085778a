"""Teams: members with roles, invitations by email, ownership that is never left empty.

Every user gets a personal team at sign-up (`create_personal`, in the account's own
transaction), theirs alone. Other teams are made by a user, who is their first OWNER.
Only owners manage members, invitations and the team; the last owner can neither leave
nor be demoted (transfer ownership first). Outsiders get 404 for everything of a team;
platform administrators see and manage every team.

Invitations go by mail through the outbox (`team.invitation`, the token sealed in the
event, its SHA-256 in the row): single use, expiring, revocable, resendable (a resend
makes a new token and the old one stops working), accepted or declined only by a
signed-in account with the invited address.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from controlplane.db.models import (
    LedgerAccount,
    Subscription,
    Team,
    TeamInvitation,
    TeamMember,
    User,
)
from controlplane.services import ownership
from controlplane.services.bearer import hash_token, new_secret_token
from controlplane.services.clock import Clock
from controlplane.services.errors import Conflict, Forbidden, Invalid, NotFound
from controlplane.services.events.outbox import Outbox
from controlplane.services.ids import parse_id
from shared.enums import LedgerAccountKind, Role, SubscriptionStatus, TeamRole
from shared.wire.teams import (
    InvitationCreate,
    InvitationOut,
    MemberOut,
    MemberUpdate,
    TeamCreate,
    TeamDetail,
    TeamOut,
    TeamUpdate,
)

INVITE_PREFIX = "mti"
# A subscription in these states holds nothing of a team's any more.
ENDED = (SubscriptionStatus.CANCELLED, SubscriptionStatus.EXPIRED)
INVITED = "team.invitation"
# A user's teams (owned or joined), and a team's members and open invitations: bounds so no
# one account or team grows without end.
MAX_TEAMS = 50
MAX_MEMBERS = 200


async def create_personal(conn: BaseDBAsyncClient, user: User, now: datetime) -> Team:
    """The user's own team, made with the account (on its connection). It has the user's
    id: a request acts in it unless it names another, and finding it needs no query."""
    team = await Team.create(
        id=user.id,
        name=f"{user.name}'s team"[:100],
        personal=True,
        created_at=now,
        updated_at=now,
        using_db=conn,
    )
    await TeamMember.create(
        id=uuid.uuid4(),
        team_id=team.id,
        user_id=user.id,
        role=TeamRole.OWNER,
        joined_at=now,
        using_db=conn,
    )
    return team


async def last_owner_of_shared(user_ids: list[uuid.UUID]) -> bool:
    """Whether any of these users is the only owner of a team that has other members."""
    for member in await TeamMember.filter(
        user_id__in=user_ids, role=TeamRole.OWNER, team__personal=False
    ):
        others = TeamMember.filter(team_id=member.team_id).exclude(user_id__in=user_ids)
        owners = (
            await TeamMember.filter(team_id=member.team_id, role=TeamRole.OWNER)
            .exclude(user_id__in=user_ids)
            .exists()
        )
        if not owners and await others.exists():
            return True
    return False


async def drop_personal(user_ids: list[uuid.UUID]) -> None:
    """The personal teams of accounts being deleted go with them (their memberships of
    other teams go by the foreign key's cascade)."""
    teams = TeamMember.filter(user_id__in=user_ids, team__personal=True).values_list(
        "team_id", flat=True
    )
    await Team.filter(id__in=await teams).delete()


class Teams:
    def __init__(self, outbox: Outbox, clock: Clock, invitation_ttl: timedelta) -> None:
        self._outbox = outbox
        self._clock = clock
        self._ttl = invitation_ttl

    # -- teams -------------------------------------------------------------------------

    async def mine(self, actor: User) -> list[TeamOut]:
        """The caller's teams with their role in each."""
        rows = await TeamMember.filter(user_id=actor.id).prefetch_related("team")
        return sorted(
            (_team_out(m.team, m.role) for m in rows), key=lambda t: (not t.personal, t.name)
        )

    async def create(self, actor: User, body: TeamCreate) -> TeamOut:
        now = self._clock()
        async with in_transaction():
            await User.filter(id=actor.id).select_for_update().first()
            if await TeamMember.filter(user_id=actor.id).count() >= MAX_TEAMS:
                raise Conflict(f"an account may be in at most {MAX_TEAMS} teams")
            team = await Team.create(
                id=uuid.uuid4(), name=body.name, personal=False, created_at=now, updated_at=now
            )
            await TeamMember.create(
                id=uuid.uuid4(),
                team_id=team.id,
                user_id=actor.id,
                role=TeamRole.OWNER,
                joined_at=now,
            )
        return _team_out(team, TeamRole.OWNER)

    async def detail(self, actor: User, raw_id: str) -> TeamDetail:
        team, role = await self._visible(actor, raw_id)
        members = (
            await TeamMember.filter(team_id=team.id).prefetch_related("user").order_by("joined_at")
        )
        return TeamDetail(
            **_team_out(team, role).model_dump(),
            members=[_member_out(m) for m in members],
        )

    async def update(self, actor: User, raw_id: str, body: TeamUpdate) -> TeamOut:
        team, role = await self._owned(actor, raw_id)
        team.name = body.name
        team.updated_at = self._clock()
        await team.save(update_fields=["name", "updated_at"])
        return _team_out(team, role)

    async def delete(self, actor: User, raw_id: str) -> None:
        """Refused while the team has apps or money (either way) in a wallet: those must be
        ended and settled first, not lost with it. Its webhooks and keys go with it."""
        team, _ = await self._owned(actor, raw_id)
        if team.personal:
            raise Conflict("a personal team goes only with its account")
        async with in_transaction():
            # The team's row locked, as a subscribe locks it: none can slip in meanwhile.
            await Team.filter(id=team.id).select_for_update().first()
            live = Subscription.filter(team_id=team.id).exclude(status__in=ENDED)
            if await live.exists():
                raise Conflict("the team still has subscriptions: cancel them first")
            wallets = LedgerAccount.filter(kind=LedgerAccountKind.WALLET, owner_id=team.id)
            if await wallets.exclude(balance=0).exists():
                raise Conflict("the team's wallet holds or owes money: settle it first")
            await Team.filter(id=team.id).delete()

    # -- members -----------------------------------------------------------------------

    async def set_role(
        self, actor: User, raw_id: str, raw_user: str, body: MemberUpdate
    ) -> MemberOut:
        team, _ = await self._owned(actor, raw_id)
        user_id = parse_id(raw_user, "Member")
        async with in_transaction():
            member = await self._member_locked(team.id, user_id)
            if member.role is TeamRole.OWNER and body.role is not TeamRole.OWNER:
                await self._keep_an_owner(team.id, member)
            if team.personal and body.role is not TeamRole.OWNER:
                raise Conflict("a personal team has its owner only")
            member.role = body.role
            await member.save(update_fields=["role"])
        await member.fetch_related("user")
        return _member_out(member)

    async def remove(self, actor: User, raw_id: str, raw_user: str) -> None:
        """An owner removes a member; any member removes themselves (leaves)."""
        team, role = await self._visible(actor, raw_id)
        user_id = parse_id(raw_user, "Member")
        if user_id != actor.id and role is not TeamRole.OWNER and not _admin(actor):
            raise Forbidden("only the team's owners remove other members")
        if team.personal:
            raise Conflict("a personal team cannot be left; it goes with its account")
        async with in_transaction():
            member = await self._member_locked(team.id, user_id)
            # Still an owner now that the team is locked (a racing change may have removed
            # or demoted the caller meanwhile).
            other = user_id != actor.id and not _admin(actor)
            if other and await ownership.role_in(team.id, actor.id) is not TeamRole.OWNER:
                raise NotFound("Team not found")
            if member.role is TeamRole.OWNER:
                await self._keep_an_owner(team.id, member)
            await member.delete()

    async def transfer(self, actor: User, raw_id: str, raw_user: str) -> TeamDetail:
        """Makes a member an owner and the caller (an owner) a developer."""
        team, _ = await self._owned(actor, raw_id)
        if team.personal:
            raise Conflict("a personal team's ownership is not transferred")
        user_id = parse_id(raw_user, "Member")
        async with in_transaction():
            target = await self._member_locked(team.id, user_id)
            target.role = TeamRole.OWNER
            await target.save(update_fields=["role"])
            if user_id != actor.id:
                await TeamMember.filter(team_id=team.id, user_id=actor.id).update(
                    role=TeamRole.DEVELOPER
                )
        return await self.detail(actor, raw_id)

    # -- invitations -------------------------------------------------------------------

    async def invite(self, actor: User, raw_id: str, body: InvitationCreate) -> InvitationOut:
        team, _ = await self._owned(actor, raw_id)
        if team.personal:
            raise Conflict("a personal team takes no members: make a team to share")
        email = body.email.strip().lower()
        now = self._clock()
        async with self._outbox.transaction() as conn:
            await Team.filter(id=team.id).using_db(conn).select_for_update().first()
            if await TeamMember.filter(team_id=team.id).using_db(conn).count() >= MAX_MEMBERS:
                raise Conflict(f"a team has at most {MAX_MEMBERS} members")
            already = await TeamMember.filter(team_id=team.id, user__email=email).using_db(conn)
            if already:
                raise Conflict("that address is a member already")
            open_ = await _open(team.id, email, now).using_db(conn).first()
            if open_ is not None:
                raise Conflict("an invitation to that address is open: resend or revoke it")
            invitation = await TeamInvitation.create(
                id=uuid.uuid4(),
                team_id=team.id,
                email=email,
                role=body.role,
                token_hash="",
                invited_by=actor.id,
                created_at=now,
                expires_at=now + self._ttl,
                using_db=conn,
            )
            await self._mail(conn, invitation, team, actor)
        return _invitation_out(invitation)

    async def invitations(self, actor: User, raw_id: str) -> list[InvitationOut]:
        team, _ = await self._owned(actor, raw_id)
        rows = await TeamInvitation.filter(team_id=team.id).order_by("-created_at")
        return [_invitation_out(i) for i in rows]

    async def revoke(self, actor: User, raw_id: str, raw_invitation: str) -> InvitationOut:
        team, _ = await self._owned(actor, raw_id)
        invitation = await self._invitation(team.id, raw_invitation)
        if invitation.revoked_at is None and invitation.accepted_at is None:
            invitation.revoked_at = self._clock()
            await invitation.save(update_fields=["revoked_at"])
        return _invitation_out(invitation)

    async def resend(self, actor: User, raw_id: str, raw_invitation: str) -> InvitationOut:
        """A new token (the mailed one before stops working) and a new expiry."""
        team, _ = await self._owned(actor, raw_id)
        invitation = await self._invitation(team.id, raw_invitation)
        if invitation.accepted_at or invitation.declined_at or invitation.revoked_at:
            raise Conflict("the invitation is closed: invite again")
        async with self._outbox.transaction() as conn:
            invitation.created_at = self._clock()
            invitation.expires_at = invitation.created_at + self._ttl
            await self._mail(conn, invitation, team, actor)
        return _invitation_out(invitation)

    async def accept(self, actor: User, token: str) -> TeamOut:
        now = self._clock()
        async with in_transaction():
            invitation = await self._for_token(actor, token, now)
            if await TeamMember.filter(team_id=invitation.team_id, user_id=actor.id).exists():
                raise Conflict("you are a member already")
            await TeamMember.create(
                id=uuid.uuid4(),
                team_id=invitation.team_id,
                user_id=actor.id,
                role=invitation.role,
                joined_at=now,
            )
            invitation.accepted_at = now
            await invitation.save(update_fields=["accepted_at"])
            team = await Team.get(id=invitation.team_id)
        return _team_out(team, invitation.role)

    async def decline(self, actor: User, token: str) -> InvitationOut:
        now = self._clock()
        async with in_transaction():
            invitation = await self._for_token(actor, token, now)
            invitation.declined_at = now
            await invitation.save(update_fields=["declined_at"])
        return _invitation_out(invitation)

    # -- inside ------------------------------------------------------------------------

    async def _visible(self, actor: User, raw_id: str) -> tuple[Team, TeamRole]:
        """The team and the caller's role in it (administrators manage every team)."""
        who = await ownership.acting(actor, raw_id)
        team = await Team.get_or_none(id=who.team_id)
        if team is None:
            raise NotFound("Team not found")
        return team, who.role

    async def _owned(self, actor: User, raw_id: str) -> tuple[Team, TeamRole]:
        team, role = await self._visible(actor, raw_id)
        if role is not TeamRole.OWNER:
            raise Forbidden("only the team's owners may do this")
        return team, role

    async def _member_locked(self, team_id: uuid.UUID, user_id: uuid.UUID) -> TeamMember:
        """The member's row, after the team's: every change of a team's members queues on
        its row, so two owners removing each other at once take turns (row locks taken
        in two orders would deadlock instead), and the second sees the first's change."""
        await Team.filter(id=team_id).select_for_update().first()
        member = (
            await TeamMember.filter(team_id=team_id, user_id=user_id).select_for_update().first()
        )
        if member is None:
            raise NotFound("Member not found")
        return member

    async def _keep_an_owner(self, team_id: uuid.UUID, leaving: TeamMember) -> None:
        """Refuses to take away the last owner (the owners' rows locked: two owners demoting
        each other at once cannot both pass)."""
        owners = await TeamMember.filter(team_id=team_id, role=TeamRole.OWNER).select_for_update()
        if [o.id for o in owners] == [leaving.id]:
            raise Conflict("the last owner cannot leave or be demoted: transfer ownership first")

    async def _invitation(self, team_id: uuid.UUID, raw_id: str) -> TeamInvitation:
        found = await TeamInvitation.get_or_none(id=parse_id(raw_id, "Invitation"), team_id=team_id)
        if found is None:
            raise NotFound("Invitation not found")
        return found

    async def _for_token(self, actor: User, token: str, now: datetime) -> TeamInvitation:
        invitation = (
            await TeamInvitation.filter(token_hash=hash_token(token)).select_for_update().first()
        )
        if (
            invitation is None
            or invitation.accepted_at
            or invitation.declined_at
            or invitation.revoked_at
            or invitation.expires_at <= now
        ):
            raise Invalid.field("token", "the invitation is unknown, used, revoked or expired")
        if invitation.email != actor.email:
            # Not the address invited: the same answer as an unknown token would leak less,
            # but the invitee must know to sign in with the invited address.
            raise Forbidden("this invitation is for another email address")
        return invitation

    async def _mail(
        self, conn: BaseDBAsyncClient, invitation: TeamInvitation, team: Team, actor: User
    ) -> None:
        raw = new_secret_token(INVITE_PREFIX)
        invitation.token_hash = hash_token(raw)
        await invitation.save(using_db=conn)
        hours = max(1, round(self._ttl.total_seconds() / 3600))
        await self._outbox.emit(
            conn,
            INVITED,
            None,
            {
                "email": invitation.email,
                "name": invitation.email,
                "team": team.name,
                "role": invitation.role.value,
                "invited_by": actor.name,
                "expires_in_hours": hours,
            },
            {"token": raw},
        )


def _open(team_id: uuid.UUID, email: str, now: datetime) -> QuerySet[TeamInvitation]:
    return TeamInvitation.filter(
        team_id=team_id,
        email=email,
        accepted_at__isnull=True,
        declined_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )


def _admin(actor: User) -> bool:
    return actor.role is Role.ADMINISTRATOR


def _team_out(team: Team, role: TeamRole) -> TeamOut:
    return TeamOut(
        id=team.id,
        name=team.name,
        personal=team.personal,
        role=role,
        created_at=team.created_at,
    )


def _member_out(member: TeamMember) -> MemberOut:
    return MemberOut(
        user_id=member.user_id,
        email=member.user.email,
        name=member.user.name,
        role=member.role,
        joined_at=member.joined_at,
    )


def _invitation_out(invitation: TeamInvitation) -> InvitationOut:
    return InvitationOut.model_validate(invitation)
