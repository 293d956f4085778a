"""Worker nodes: the seed's 25+ field model, live usage, credentials, samples and events."""

from tortoise import fields
from tortoise.models import Model

from shared.enums import NodeStatus


class WorkerNode(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=253, unique=True)
    hostname = fields.CharField(max_length=253)
    ip_address = fields.CharField(max_length=45)
    cpu_cores = fields.IntField()
    cpu_architecture = fields.CharField(max_length=32)
    total_memory = fields.BigIntField()  # MB
    total_storage = fields.BigIntField()  # MB
    architecture = fields.CharField(max_length=32)
    operating_system = fields.CharField(max_length=128)
    # Indexed by (status, created_at, id) below, which serves lookups by status too.
    status = fields.CharEnumField(NodeStatus, max_length=16, default=NodeStatus.PENDING)
    status_reason = fields.CharField(max_length=512, null=True)
    status_changed_at = fields.DatetimeField(null=True)
    is_ready = fields.BooleanField(default=False)
    is_schedulable = fields.BooleanField(default=True, db_index=True)
    max_pods = fields.IntField(default=110)
    current_pods = fields.IntField(default=0)
    allocated_cpu = fields.FloatField(default=0)
    allocated_memory = fields.BigIntField(default=0)
    allocated_storage = fields.BigIntField(default=0)
    # What the control plane has placed here (instances' requests). Kept apart
    # from the agent-reported allocation so a reservation is one atomic,
    # conditional UPDATE that can never push it past capacity.
    reserved_cpu = fields.FloatField(default=0)
    reserved_memory = fields.BigIntField(default=0)
    reserved_storage = fields.BigIntField(default=0)
    reserved_pods = fields.IntField(default=0)
    labels: dict[str, str] = fields.JSONField(default=dict)
    # The labels the node's agent last reported (Kubernetes'); the rest of `labels` are
    # an administrator's, and survive the agent's registrations.
    agent_labels: dict[str, str] = fields.JSONField(default=dict)
    taints: list[dict[str, str]] = fields.JSONField(default=list)
    kubelet_version = fields.CharField(max_length=64, null=True)
    container_runtime = fields.CharField(max_length=128, null=True)
    kernel_version = fields.CharField(max_length=128, null=True)
    os_image = fields.CharField(max_length=128, null=True)
    # Not indexed on purpose: every heartbeat rewrites it, and an index on it
    # would turn each of those updates from a HOT update into index maintenance.
    last_heartbeat = fields.DatetimeField(null=True)
    last_health_check = fields.DatetimeField(null=True)
    # Live usage, from the latest heartbeat.
    cpu_percent = fields.FloatField(null=True)
    memory_used = fields.BigIntField(null=True)
    disk_used = fields.BigIntField(null=True)
    load1 = fields.FloatField(null=True)
    load5 = fields.FloatField(null=True)
    load15 = fields.FloatField(null=True)
    conditions: list[dict[str, object]] = fields.JSONField(default=list)
    agent_version = fields.CharField(max_length=32, null=True)
    last_seq = fields.BigIntField(default=0)
    # SHA-256 of the node secret of the agent that owns this name (K3s's node password):
    # registering the name again needs the same secret. NULL for a node created by an
    # administrator or registered before secrets existed: the first agent to register it
    # with a secret claims it.
    node_secret_hash = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "worker_nodes"
        # The default listing order (newest first), read without sorting the table;
        # and the same order within a status, so a page of a status filter walks its
        # first rows in order instead of reading every node of that status and sorting
        # (a few hundred to thousands of rows: 1.2-2.4 ms a page at 10,000 nodes, 0.5
        # through this index). Neither column changes on a heartbeat: HOT is kept.
        indexes = (("created_at", "id"), ("status", "created_at", "id"))


class NodeToken(Model):
    """The bearer credential of one node's agent; only its SHA-256 is kept."""

    id = fields.UUIDField(primary_key=True)
    node: fields.ForeignKeyRelation[WorkerNode] = fields.ForeignKeyField(
        "models.WorkerNode", related_name="tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "node_tokens"


class JoinToken(Model):
    """A cluster join token an administrator hands to agents; shown once, stored hashed."""

    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=100)
    token_hash = fields.CharField(max_length=64, unique=True)
    # The first characters, so an administrator can tell tokens apart.
    prefix = fields.CharField(max_length=16)
    expires_at = fields.DatetimeField(null=True)
    max_uses = fields.IntField(null=True)
    uses = fields.IntField(default=0)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by = fields.UUIDField(null=True)

    class Meta:
        table = "join_tokens"


class NodeSample(Model):
    """One raw telemetry sample; (node, seq) is unique so a replay stores nothing twice."""

    id = fields.BigIntField(primary_key=True)
    node_id = fields.UUIDField()
    seq = fields.BigIntField()
    # Epoch milliseconds: integer buckets are the same arithmetic on both databases.
    ts = fields.BigIntField()
    cpu_percent = fields.FloatField()
    memory_used = fields.BigIntField()
    disk_used = fields.BigIntField()
    load1 = fields.FloatField()
    load5 = fields.FloatField()
    load15 = fields.FloatField()

    class Meta:
        table = "node_samples"
        unique_together = (("node_id", "seq"),)
        indexes = (("node_id", "ts"), ("ts",))


class NodeSampleRollup(Model):
    """Samples older than the raw retention window, averaged per bucket."""

    id = fields.BigIntField(primary_key=True)
    node_id = fields.UUIDField()
    bucket = fields.BigIntField()  # bucket start, epoch ms
    width = fields.IntField()  # seconds
    samples = fields.IntField()
    cpu_percent = fields.FloatField()
    cpu_percent_max = fields.FloatField()
    memory_used = fields.BigIntField()
    disk_used = fields.BigIntField()
    load1 = fields.FloatField()

    class Meta:
        table = "node_sample_rollups"
        unique_together = (("node_id", "bucket"),)


class NodeEvent(Model):
    """A recorded health transition of a node."""

    id = fields.BigIntField(primary_key=True)
    node_id = fields.UUIDField(db_index=True)
    from_status = fields.CharEnumField(NodeStatus, max_length=16, null=True)
    to_status = fields.CharEnumField(NodeStatus, max_length=16)
    reason = fields.CharField(max_length=512)
    created_at = fields.DatetimeField()

    class Meta:
        table = "node_events"
