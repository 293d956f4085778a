"""Operator alerts: a condition that held long enough to tell administrators, and its end."""

from tortoise import fields
from tortoise.models import Model


class Alert(Model):
    """One episode of one condition (a node down, an instance failed, the fleet disrupted,
    a job failing) on one subject: PENDING while it is unconfirmed, FIRING once it held
    for the confirmation time (administrators told), RESOLVED when it ended. A PENDING
    one that ends was a blip, told to no one. Rows are kept as the history."""

    id = fields.UUIDField(primary_key=True)
    kind = fields.CharField(max_length=32)
    subject = fields.CharField(max_length=64)
    subject_name = fields.CharField(max_length=253)
    state = fields.CharField(max_length=16, db_index=True)
    detail = fields.CharField(max_length=512, null=True)
    # When the condition began (a node's status change), not when we first looked.
    since = fields.DatetimeField()
    fired_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    # Fired while its subject was flapping (several episodes within the flap window): told
    # once as a summary, its own firing and resolution not told one by one.
    flapping = fields.BooleanField(default=False)
    # A flapping episode ended: its "stable again" notice is due once the subject has been
    # quiet for a flap window.
    stable_notice_due = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "alerts"
        indexes = (("kind", "subject", "state"), ("state", "updated_at"))
