from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "join_tokens" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "prefix" VARCHAR(16) NOT NULL,
    "expires_at" TIMESTAMP,
    "max_uses" INT,
    "uses" INT NOT NULL,
    "revoked_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    "created_by" CHAR(36)
) /* A cluster join token an administrator hands to agents; shown once, stored hashed. */;
        CREATE TABLE IF NOT EXISTS "node_events" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "node_id" CHAR(36) NOT NULL,
    "from_status" VARCHAR(16) /* PENDING: PENDING\nACTIVE: ACTIVE\nNOT_READY: NOT_READY\nINACTIVE: INACTIVE\nMAINTENANCE: MAINTENANCE */,
    "to_status" VARCHAR(16) NOT NULL /* PENDING: PENDING\nACTIVE: ACTIVE\nNOT_READY: NOT_READY\nINACTIVE: INACTIVE\nMAINTENANCE: MAINTENANCE */,
    "reason" VARCHAR(512) NOT NULL,
    "created_at" TIMESTAMP NOT NULL
) /* A recorded health transition of a node. */;
CREATE INDEX IF NOT EXISTS "idx_node_events_node_id_feb00b" ON "node_events" ("node_id");
        CREATE TABLE IF NOT EXISTS "node_samples" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "node_id" CHAR(36) NOT NULL,
    "seq" BIGINT NOT NULL,
    "ts" BIGINT NOT NULL,
    "cpu_percent" REAL NOT NULL,
    "memory_used" BIGINT NOT NULL,
    "disk_used" BIGINT NOT NULL,
    "load1" REAL NOT NULL,
    "load5" REAL NOT NULL,
    "load15" REAL NOT NULL,
    CONSTRAINT "uid_node_sample_node_id_05892e" UNIQUE ("node_id", "seq")
) /* One raw telemetry sample; (node, seq) is unique so a replay stores nothing twice. */;
CREATE INDEX IF NOT EXISTS "idx_node_sample_node_id_703943" ON "node_samples" ("node_id", "ts");
CREATE INDEX IF NOT EXISTS "idx_node_sample_ts_db5c50" ON "node_samples" ("ts");
        CREATE TABLE IF NOT EXISTS "node_sample_rollups" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "node_id" CHAR(36) NOT NULL,
    "bucket" BIGINT NOT NULL,
    "width" INT NOT NULL,
    "samples" INT NOT NULL,
    "cpu_percent" REAL NOT NULL,
    "cpu_percent_max" REAL NOT NULL,
    "memory_used" BIGINT NOT NULL,
    "disk_used" BIGINT NOT NULL,
    "load1" REAL NOT NULL,
    CONSTRAINT "uid_node_sample_node_id_003f54" UNIQUE ("node_id", "bucket")
) /* Samples older than the raw retention window, averaged per bucket. */;
        CREATE TABLE IF NOT EXISTS "worker_nodes" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "name" VARCHAR(253) NOT NULL UNIQUE,
    "hostname" VARCHAR(253) NOT NULL,
    "ip_address" VARCHAR(45) NOT NULL,
    "cpu_cores" INT NOT NULL,
    "cpu_architecture" VARCHAR(32) NOT NULL,
    "total_memory" BIGINT NOT NULL,
    "total_storage" BIGINT NOT NULL,
    "architecture" VARCHAR(32) NOT NULL,
    "operating_system" VARCHAR(128) NOT NULL,
    "status" VARCHAR(16) NOT NULL /* PENDING: PENDING\nACTIVE: ACTIVE\nNOT_READY: NOT_READY\nINACTIVE: INACTIVE\nMAINTENANCE: MAINTENANCE */,
    "status_reason" VARCHAR(512),
    "status_changed_at" TIMESTAMP,
    "is_ready" INT NOT NULL,
    "is_schedulable" INT NOT NULL,
    "max_pods" INT NOT NULL,
    "current_pods" INT NOT NULL,
    "allocated_cpu" REAL NOT NULL,
    "allocated_memory" BIGINT NOT NULL,
    "allocated_storage" BIGINT NOT NULL,
    "labels" JSON NOT NULL,
    "taints" JSON NOT NULL,
    "kubelet_version" VARCHAR(64),
    "container_runtime" VARCHAR(128),
    "kernel_version" VARCHAR(128),
    "os_image" VARCHAR(128),
    "last_heartbeat" TIMESTAMP,
    "last_health_check" TIMESTAMP,
    "cpu_percent" REAL,
    "memory_used" BIGINT,
    "disk_used" BIGINT,
    "load1" REAL,
    "load5" REAL,
    "load15" REAL,
    "conditions" JSON NOT NULL,
    "agent_version" VARCHAR(32),
    "last_seq" BIGINT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_worker_node_status_9ba00f" ON "worker_nodes" ("status");
CREATE INDEX IF NOT EXISTS "idx_worker_node_is_sche_3fa8be" ON "worker_nodes" ("is_schedulable");
CREATE INDEX IF NOT EXISTS "idx_worker_node_last_he_352fbc" ON "worker_nodes" ("last_heartbeat");
        CREATE TABLE IF NOT EXISTS "node_tokens" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "created_at" TIMESTAMP NOT NULL,
    "revoked_at" TIMESTAMP,
    "node_id" CHAR(36) NOT NULL REFERENCES "worker_nodes" ("id") ON DELETE CASCADE
) /* The bearer credential of one node's agent; only its SHA-256 is kept. */;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "node_tokens";
        DROP TABLE IF EXISTS "node_sample_rollups";
        DROP TABLE IF EXISTS "node_events";
        DROP TABLE IF EXISTS "join_tokens";
        DROP TABLE IF EXISTS "node_samples";
        DROP TABLE IF EXISTS "worker_nodes";"""


MODELS_STATE = (
    "eJztXW1v2zgS/iuEv2wLZIvaTtJcejjASdytdxu7SJzdu20XAi3Rsc4y5VJUU2Mv//1ISr"
    "LeFUmRbFnhl8QmOaT8DDWcefj2d2dlasiw3gxsupguiEmpgTrn4O8Ohiv+ITH/CHTgeu3n"
    "8gQKZ0KyA1lJhQaLzixKoEpZ5hwaFmJJGrJUoq+pbmIu8gHqBtJ+Nsx7HQPVtDFFBMxNAk"
    "yMwBJtwCuIAVRFzk8WQCtWHrBsCFRDR5gCqGkEWdbrN7w9zVRZgzq+r75qG+vfbKRQ8x7R"
    "BSKsgS9/sWQda+gHsryv66Uy15GhhXBkbfEaRIZCN2uReLmA5IMoyp97pqimYa9woPh6Qx"
    "cm3pZnv4un3iOMCKRIC0CKbcNwVeAlOU/LEiix0fYxNT9BQ3NoG1wxXNp5BD+toyjjyVS5"
    "HU4VpRNTmicRANtNUk3MFa5jagkEVvCHYiB8Txfsa//t20enIR8Jpxhv8ffBzeXHwc0rVu"
    "o1b9Jk/cbpVWM3q+fkPYpKIIVONQJ6H+s5U6LNtBYHfIRpMt5BkQjo7IeUAd1L8FH3e78H"
    "8du6ML/nT/Bzr3v87visf3p8xoqIp9ymvMvQwmg8FQD7gD6wH2E+KBaFhMZBvWKoUH2Fkp"
    "GNykbQ1VzhN96HurCusYtnYDkdXQ9vp4Prz7z6lWV9MwRig+mQ5/RE6iaS+uo00vm3lYA/"
    "RtOPgH8Ff07GQwGnadF7Ilr0y03/7PBnYqbYVDADnxmxACZespf0yI3WfBl4lXjCDKrLB0"
    "g0JZZj9sy0svGsVW8VTYEY3gslcTT5c7pjzK+mjqfmEuGkAcjPzBx9/suKMfvMyln5xp4B"
    "M/S2xUcFLgqEKOBjgrbSsc6lKRsOFhBrFssE7MmZ0t8Da2E+YDaIqKxKi5VAGitjLZAWH4"
    "JqaeEZI5GuxV/hu7vRVfLr65SOvLS2rWtvuEw9o1Hnn3Mbq1xDQLTE/xz/q7P7t9cZjJzX"
    "MfiiiZ+ePQaJ/wUGfK98NSP+ng1ieMzv5hrzuxljftcb8318xWuk8DeiCMphqdZ5V6fHOY"
    "A+PU7FmWeFYV4TNNd/FIHYl2hjVz7N05Oj43egI59GAUY/1jqzKgos7FiFJStwq9x+2xTk"
    "D92rCmqZdyLbKhSRBEVKRSQNU2fVMUlBOJ8FZauDO4K+s1FRK2GBwpLSAjXZAqkEcdxLaD"
    "ks2cLwnfVjqE2wsXF74IGo3X1Zcml9lkA+psd8YalnxH6H8z4/Eek1hCEZs3/D7wjTTgJD"
    "4mceZTEkmCUpiJfLzZAQpJpE4wQEggZdMLVCbOkiPjfnAAJeZRLvkVuuYjbjQr9P9QMS+Y"
    "wEL8Dtus0N/Bwv4B+9Xr//rve2f3p2cvzu3cnZ2607EM/K8gsuRr9w1yBkqDxfIYPl4J2p"
    "GKEUEKmSVYqbll1q4zkcUmDegpgrTpRTO8Gz5RH3ENsrgeqItQ6xiuLzGOEqSoXgu7Hanc"
    "/D8dVo/Ms5cD98xYPL6ej34Tlw/n/FXPpmOLj6zznYfvyKR2OvnPfpK74esL46HA/Glyw5"
    "8CVqlPYT47MB+nlaDVXQZFrlBSmV+UiWiYswY75Ek1VYkhk76fZyIMxKpUIs8h5l0PIyYt"
    "MGedS3cLVOXvUSyH3ap7ZEwZxO9QQjQOADoMhAK0TJBjji78ErXtkRsNC310C3gNPfgGUy"
    "f5mgtQE3zmygxbxnumA9BNAHXU1wv2tpIcFR/xL06Fidnb8irnuoAOu8LPuL+C99eunTH6"
    "iJLeDU81eiUG92BXZHVLekRwf87QRHOwtxuuOZgdYBrq5tZY2I6pJPYeQ/GCZMAT4iF9HA"
    "nAseoA4y4Lya3F18GoLPN8PL0e1oMg77YiJTDKPfDJ0KDFh49CkC9gqtTLLhc4MFh8mIoO"
    "zvpfu7plvLEgoIiUn4S8PP7ILWLWRothLSxOQxMRyuk8IAn0iAiwDcLY5wV0KcCXHjSIUb"
    "0zDsdSeTWnDLHOUkGBQiyufkGZwmLGAaGiKALiBmfxxigCDK/C4+Gecs0T8C8DvrP+wXAe"
    "aTgZmtLhGN8wqV1PgUj+AUjVEJkjGQjMGBmrQCjIHb+Qt1aF9G+pWl/coHXaMJy8lTQd+W"
    "bxPmla0rDPDhOfEMSEhEJc2yXxc9AJqygglbIPIB7slK0CW3dRCDoOS2JLfVNhPTIF4gdY"
    "Ozn3n0JBNQZIPzlAXnMwQJC8BVgjQeoEODr7/lJ2Dw2n6ynD3H71mKsQE6tcDtx8HPvZNT"
    "vjpgidYJJEBVlcptzI2IPdNDe7nNdifbbOVCt3To27s7R+68a+vqxqCWJTta/farMLoJ7r"
    "JJkH6Pf0Ob2ML6CKCu9/WHSZaIjN3KDhNYP9V/oQl82PpOwW7FEGC/Gzle8uXg9nJwNew8"
    "7sctvkFzpu5Fqmccys90jolTspB/zNfJmmvIl8C64s4RPRmeK7gxKRR+nbpgcFv8QLkVgK"
    "yFlW5skpfiVt+E9J0bYJmyfGdHVwVNf0hIbpCTh/7sIRpp0Jk0DR1qW+GYcra2hI4DYjLw"
    "aLJ+ZXj5ErQsqaP0cbK91BEzwkQRDHsRTygs1eDDAUq6QiyCyuELsVKpzpDIC3tD+lpxDw"
    "EvAnVYqn1QH5/kQPr4JBVonhU70I0UDJYCIpIny+bJOFQV8GR3bjWHCemTDFmgQzWJIROo"
    "JzBjnjbSGTH+g/IRYelYSqKpAa/2UQbRJM+arvesaXErSBGAtwKtI5t6J3nYJlYqw8OKHz"
    "INLevBZEayKLMXE2xhj+6d5PG0WKkMxGO+FjGNFIvx9GFUnmxdWMdN9N3t8KagRRYy54D/"
    "/YoHV9ej8eh2ejOYTlhi6Gt0siaXkan8MCndUtjYrH9PUMqFyfCGOGXEDMpFFDJjgjVpxE"
    "vY7Qh5MZl8CoXnF6PIcsrx3fXFkEEvkPdXASbsTWBxGXsw5TvzjvSkU7wyTueISe5utWu3"
    "LotT8UYFA1pUEXdulaClYsKSf5T8Y1X84049pxbTj2utpNLDkpJ0borWE9518fQFls4HZ5"
    "6i63AiPo0r/+G3G2SIZS7pjFN09c+BdYc05umxTr4osJotgTUKr3VL544eRDmFrxqTFJKk"
    "kGqkkBpFcPRzhdv9jHC7Hw3vFkwZRREOyrSS1qgB571N1TUb6+rn6vgGZ9UsdsVuSKZNO0"
    "Qr3d8PibrQKVKpTQqZiyTZFnblfp5Txvvph4z3Y2eMU5NCQ3H2jyd4qlnHhkYk29Snd31i"
    "q4CSHzvNHNoyWgiISjWUVkNZ4yMNTwnDY645GuwJFGtjUbQqAniSbAtB7/bO8sy09M7Sp1"
    "p4XoT7f9ZVLPXfwxKPL927VIpOgb2cu1gcpSjFr2SJCbZvoV4tF7O4uKkLiO9L0cCJFciJ"
    "nuaQv3HOXxfviZbkJD8xRb0Vq22GOq7UbcrBzlEz4Cx1gTTbwaEw6hFhuTogN/Lcfq5Nre"
    "ht3Z7IDtcDdA/lkmnVJoSfhlcQ1qiYvL07FrIZhqmKGVV1bceRzTg3LCa5y/PD6oI3A7sq"
    "zif0MStDGCVJt6ZH75qq2GJZijVKFJe6KHlmIZy5c8dhBfx6OxmnrfHyJKI+v65S8D9g6F"
    "Zt2Aema2e2blAdW294s/uYseUIhZwWL+p6dT34dzQgu/w0uYg69ryCiyiZ6rRcQB2+RDPU"
    "wdtrjTqW9ozvI0pfa5pOTySIto+gqOE0PRPzHo2IQmzsEQe5J9KShNuHei3U6hIRjIxSPT"
    "0mKSHPBblpKfoq0f3JmD0IyEiYc8EsFqUvECR0hkouaQ9J74TqbMgBTwfHdHrqMuhCURdI"
    "XZbVd6gCyW43Wef7vVvjcBR78Lc8NAzqF3bJg0T/fB93PDQM9prty+6vL315+O769tKXhT"
    "BrTdP5MxWi8cJSksqrnMoTR6eVoTdigu0Lu6tfICmiKAt9K+ajBKXkhE45B+Ww9nTvttMf"
    "5vZeuan7JWo9gfkov6m7is3coUvODqwP7GUn9wARXV10EnZxuzlHWTu4oV+mMXu3X8qd7M"
    "9c4ZW+VbuE+/lcx7Npr+IOTkjjL1URB98p3kJ0azlRkU+yJzLtmcEtTSbZdxDZ7odJqCyG"
    "LTDeVz+YPf4ff/G53Q=="
)
