from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "instances" (
    "id" UUID NOT NULL PRIMARY KEY,
    "subscription_id" UUID NOT NULL UNIQUE,
    "service_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "node_id" UUID,
    "status" VARCHAR(16) NOT NULL,
    "reason" VARCHAR(1024),
    "url" VARCHAR(300),
    "namespace" VARCHAR(63) NOT NULL,
    "cpu" DOUBLE PRECISION NOT NULL,
    "memory" BIGINT NOT NULL,
    "storage" BIGINT NOT NULL,
    "placement" JSONB NOT NULL,
    "secrets" JSONB NOT NULL,
    "placed_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_instances_service_a0e993" ON "instances" ("service_id");
CREATE INDEX IF NOT EXISTS "idx_instances_user_id_7b7033" ON "instances" ("user_id");
CREATE INDEX IF NOT EXISTS "idx_instances_node_id_ddda6b" ON "instances" ("node_id");
CREATE INDEX IF NOT EXISTS "idx_instances_status_078564" ON "instances" ("status");
COMMENT ON COLUMN "instances"."status" IS 'PENDING: PENDING\nPROVISIONING: PROVISIONING\nRUNNING: RUNNING\nFAILED: FAILED\nSTOPPED: STOPPED';
COMMENT ON TABLE "instances" IS 'The running side of a subscription: where it is placed and how it is doing.';
        CREATE TABLE IF NOT EXISTS "services" (
    "id" UUID NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL UNIQUE,
    "slug" VARCHAR(63) NOT NULL UNIQUE,
    "description" TEXT NOT NULL,
    "category" VARCHAR(50) NOT NULL,
    "version" VARCHAR(50) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "monthly_price" BIGINT NOT NULL,
    "template" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_services_categor_40a054" ON "services" ("category");
CREATE INDEX IF NOT EXISTS "idx_services_status_60c69f" ON "services" ("status");
COMMENT ON COLUMN "services"."status" IS 'ACTIVE: ACTIVE\nINACTIVE: INACTIVE\nDEPRECATED: DEPRECATED';
        CREATE TABLE IF NOT EXISTS "subscriptions" (
    "id" UUID NOT NULL PRIMARY KEY,
    "user_id" UUID NOT NULL,
    "service_id" UUID NOT NULL,
    "subdomain" VARCHAR(63) NOT NULL UNIQUE,
    "status" VARCHAR(16) NOT NULL,
    "current_period_start" TIMESTAMPTZ NOT NULL,
    "current_period_end" TIMESTAMPTZ NOT NULL,
    "env" JSONB NOT NULL,
    "cancelled_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_subscriptio_user_id_16045d" ON "subscriptions" ("user_id");
CREATE INDEX IF NOT EXISTS "idx_subscriptio_service_684ac1" ON "subscriptions" ("service_id");
CREATE INDEX IF NOT EXISTS "idx_subscriptio_status_9634f0" ON "subscriptions" ("status");
CREATE INDEX IF NOT EXISTS "idx_subscriptio_current_44070e" ON "subscriptions" ("current_period_end");
COMMENT ON COLUMN "subscriptions"."status" IS 'PENDING: PENDING\nACTIVE: ACTIVE\nSUSPENDED: SUSPENDED\nCANCELLED: CANCELLED\nEXPIRED: EXPIRED';
        ALTER TABLE "worker_nodes" ADD "reserved_memory" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "worker_nodes" ADD "reserved_cpu" DOUBLE PRECISION NOT NULL DEFAULT 0;
        ALTER TABLE "worker_nodes" ADD "reserved_storage" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "worker_nodes" ADD "reserved_pods" INT NOT NULL DEFAULT 0;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "worker_nodes" DROP COLUMN "reserved_memory";
        ALTER TABLE "worker_nodes" DROP COLUMN "reserved_cpu";
        ALTER TABLE "worker_nodes" DROP COLUMN "reserved_storage";
        ALTER TABLE "worker_nodes" DROP COLUMN "reserved_pods";
        DROP TABLE IF EXISTS "instances";
        DROP TABLE IF EXISTS "services";
        DROP TABLE IF EXISTS "subscriptions";"""


MODELS_STATE = (
    "eJztXW1T4zgS/iuqfNnZKnaKBMLMMVdXFSCzm11IpkLYV7Zcii0SH47skWUYao//fpLtJH"
    "6RjWWcxDH6QhJJbZun5VbrUav1T2thG8hy3/c8Op/MiU2phVqn4J8Whgv+RVh/AFrQcda1"
    "vIDCqS/ZgqylRqNNpy4lUKes8g5aLmJFBnJ1YjrUtDEX+QxNCxk/WPbMxEC3PUwRAXc2AT"
    "ZG4B49gXcQA6j7Nd+5AC1Ye8CqIdAtE2EKoGEQ5Lrfv+f3M2yd3dDEs+ov7WHzq4c0as8Q"
    "nSPCbvDX36zYxAb6htzlT+deuzORZcRwZPfiV/ArNPrk+IXnc0g++035c0813ba8BY40d5"
    "7o3Mar9uz/4qUzhBGBFBkRSLFnWaEKlkXB07ICSjy0ekxjXWCgO+hZXDFcOniEdVlL04aj"
    "iXbdn2haK6W0pUQE7LBItzFXuImp6yOwgN80C+EZnbOfR4eHz8GN1kgEzfgdf+2Nz3/qjd"
    "+xVt/zW9qs3wS9ahhWdYK6Z/8ikMLgMj70a6zvmBI9prU04ANMxXhHRRKgs3+kDOjLgjXq"
    "696/hPhwU5jP+BP80Gkffzj+eHRy/JE18Z9yVfIhRwuD4cQHeA3oI/sn7EfNpZDQNKgXDB"
    "VqLpAY2aRsAl0jFH6//LIprDfYxXOwnAyu+teT3tUXfvmF6361fMR6kz6v6filT4nSdyeJ"
    "zr+6CPhtMPkJ8J/gz9Gw78Npu3RG/Duu203+bPFnYqbY1jADnxmxCCbL4mXRMzdad/eRV4"
    "kXTKF+/wiJoaVq7I6d1TZdtegskiUQw5mvJI4mf85wjBkwUCHWhePPqi537DHDVm6xcWcy"
    "R4B4GDPdAtc0ELDvmOF3vemq1Sl4ZHYeAZMC0wWOBXVkAIgNMLcfw0LDZuLpgafia79i5D"
    "GN9Ct7czO4EL+uQevES+p5pvGey2xm9Gn9+87DOscE+Hfif47/09r+2xoMPsHrF32x/H89"
    "f8yJalaTg1wgul38d2MaXwQ7Ai4iD6aOZHGNSVUJaXq82T9MPQaPJKAREYVmHE3MBiNJNC"
    "Mir0AzhKpRYLJBnHoC751Pl/rYW/h4Rj2C+Gu/kq5m9lQA0daX/vBiMPxRcshaip2C8Mst"
    "/jIe/Tq4HoyGQXHk1y0e3wyD4vDLLf7cG1z2L05B8HmLryejL194Qfgl6ZUUmaG1TwpM0N"
    "pJF3U9P+NVcXUSBF32/wrVKX411hKlVPjyO7HV6UEC38POcRGEWbNsjP3KhD0nlgzEYfPm"
    "4VshwxAx7+zTdWBgbYpCHBPalC3aIdInRwWAPjnKxJlXxWHWHS8N8GfLhhmsTdg+ge0dF9"
    "hDdHPQvBjdnF322XjQP/fHgzhv4FfyIlZgUh+Dcb93mQB3gRY2EZCQZ+YskxZby2yPFNtk"
    "/w14sX91OkdHHzqHRycfu8cfPnQ/Hq4IsnRVHlN2NviRk2Wx/p1mz1zKamcC05GHfERIQV"
    "8aep9VWSAsYC1/vh4NxdDHhJJ0palT8D9gme7GlBBhQ6aeaVETu+/5bXdBiHCQYszl0nq/"
    "u+r9njTs55ejs6R3zy9wlprN6wRRgX+frZKIiFJI5QoJuEcNSnP7McEKiP2aOZb7zuvHXC"
    "s2p6KllByXbODyDZ9uGiNsPYU9cE/UHr4suVr3HKOk1uOSSut10brgZfefviZreD/bJp7Y"
    "9wi3BIt468qDvFW8/7JmGuXtCq7j9YBueS6P7OCiwBcFPK7DWJjY5NLMmQZziA2XVQL25K"
    "wPfALu3H7EwMY6uyR3t5HB2rhzZKRX8zZyB7WmVwveOXtNz/9M4ZxP+DSU62kXYtXaOaxa"
    "O82q+a+Rxt8IGZTjUo2LkDopwg6fZHPDJylm2CHozvwmA/FaooldufIFDvTNMZlVKeFlxS"
    "XVDKo+TlXal+adyHOlogqjIqVYvJqps+q4Qkk4XwVlowM0CXpgo2KZeV5cUlmgOlsgxeFk"
    "v1D7OZsvwuEsdTcVrN1lz/niUhsNMKrL+/zCTK8mDMmQffQf+OqSgCFZVx7kMSR+6Bji7Q"
    "ozJATpNjE4AYGgRedMrRC7pj8/9yOT+SVFvEdhuYrZjLy1USGfIfACwq5b34nfFtdEc1iO"
    "XYUuNjIQ9I7YC+11AYyJS9Q4REsQwNg7nwx+7Z+C4PMWc+lxv3fxxylYfb3Fg+Gy3fLbLb"
    "7qsb7aH/aG56w48iNplHYzx2cD9Ou0GrtAnWmVN6TUrUem1s5tjgHcbXcKIMxaZULs1z2r"
    "ScvbmJvWyKO+hgtHvHM9UvuyT+36DQs61SOMAIGPgCILLRAlTyAQ/wTe8YsdABd9/Z5v4w"
    "v6G3Bt5i8T5FjwKVgNdJn3TOd8hyB9NHWB+72ROwgc9b+iHh27ZuvvhOsea8A6L6v+y/9U"
    "Pr3y6ffUxErtP/wq15tDARW5WzpyVxQfmoe4MDhUAV4ccN3xNAcRXRgsnb8HIyqn9mIU34"
    "vB1wYlh8mEoOrvpfu7Ybr3JRQQE1Pwl4af2QWjLWVoVhLKxBQxMRyurjTAXQWwDMBteYTb"
    "CuJciGtHKoxty/KcVi61ELY5KEgwaMRvX5BnCG7hAtsyEAF0DjH7ExADBFHmd/HFuCDN1g"
    "GAD4jvGzQA88nA1NPvEU3zCpVc8SUeIWiaohIUY6AYgz01aRKMQdj5pTr0Wkb5laX9ykfT"
    "oIJw8kzQV+2bhHllcYURPrwgnhEJhaiiWXbrokdA0xZQsAWiGOBLWQW64rb2YhBU3Jbitp"
    "pmYmrEC2RucF5XHrzIBMhscObJhKcIEjYB1wky+AQdWjz+lmex51f7zg32HH9iJdYTMKkL"
    "rn/q/dDpnvDogHvkCEiAqi6qtjHXYu6ZPbVX22y3ss1WBbplQ9/c3Tlq511Toxtrkd65bm"
    "9yhduv4ugK3GWbIHOGf0FPqcD6BKCh9/WbTe4RGYYX209g16XrF5rAx5XvFO1WDAH2f6PA"
    "Sz7vXZ/3Lvqt5924xWN0x9Q9z/SMY/W5zjEJWkr5xzxO1nYgD4ENxYMUPTmeKxjbFPp+nT"
    "5ncLv8UKgFgOwOC9N6EofiVn8L5TvXwDLl+c6BriRNf0xIbZBTSX92MBupUU6amg61jXBM"
    "OVtbJrujqyYee6FfNb18C1pW1FH2ONlc6sg/Tstn2GU8obhUjZMDlHSF2AyqgC/EWmU6Q3"
    "5d3BsyHS08yFcG6rhU86A+7hZA+ribCTSv2p9D5eoyOpXnyThUFfBkN+Fl9hPSFxmySIeq"
    "E0N2HZxG2RKQY8uqgzxeLDzNshgjlg2qYpxq8I4f5DBOu006XSNOZCMpp13Lm8mgu2zfOH"
    "SrP7wt+lgphCfoW1bQWVxse2l1WjuwC5P+75PY7CR1fM9qhnI5Gv64bJ480ycReMCAmQmP"
    "dsvu11GZrR2TurXO3S1iObrZhqObshsPiLjCjp0NcUSkibmiKod4/079DZKcSZqRVjKZmi"
    "ht2kWfx0f2Jvws3/X3VplRtPKkaQsb07n1pDnEFJ2HmhvhnRRVQcalg4wpWjgWAymtgexj"
    "9KIy2z9HbzfT7Y2cmKcI2+y3ocGErTpNrWFaF6zO1Ok0tWtvGtVGmjiK1h/kskeRlopCaj"
    "iFVGcWfv8ClkLiVRLQuJTCNIGpNzXsBbuoFBcXFVKE3IuE3P5NqMOE47Iz6pcTll/fXPM6"
    "Pp1efb3F5zwT+eUlL119vcX9378Mxrws/FKPWbfuEcK3ojuImLbBU8kT+blHxjUa6I/ur/"
    "8piA6Kqw1hwUAkpfjwCttRe00Gp73TOsIPMtRO2Hz7rE7EYZ56pkVN7L7nt92Fz7wZrocP"
    "j5ZVju1JyKowzDq/corVy3Zv9pPfUazeW9R6zVk9P/5OwOYt4/KyWTzO0ij2ruHs3W4DwH"
    "ZtcTYfAoYW0LRkAF4JNI5z6nSL7DtkrXJi7VM7Dx3ouo82M5KyezxTgg3s0Z1ukZh71ioH"
    "8VTUPbGtDIvxMs23lN0eyXdz3R/LMnxc5hTwv7e4d3E1GA6uJ+PeZMQKYz/rwdWZrsbGZv"
    "NBFB1jM7whzhgxo3IJhUyZ4IY0sizY7gh5NhpdxnzFs0Ey1vHm6qzPoPeRX+eDE2SpRS6P"
    "tNMyg/RyzmlKSW4vJKm9KYtTccpaC7pUs+yZiUvMkVLCigKpz6xo3ymQrXpO+zkXVgzIW9"
    "R6BQxINAdBMiNTwqcJ5T//MkYWzNjIkZEHas+6Q9YexOdN8kWRvGYC1iie9SybO3r022k8"
    "f5iikBSF9Db2EHa6RaJqWKuc6XYqrmbOlCGLcFSmkbTGBnDeWdKGemNdfdYGftSFzk8Ll5"
    "g5x2SatI2n0pNeINHnJkU69YiUuRDJNrArH3UKdOWjTmZX5lXJ7IIUWlpwkojAU807QDoh"
    "2aQ+ve2taT6ULrX5uYFltBARVWoorYayxkcZnhKGx3Y4GuwJNPfJpWghA7hItoGgtzsfi6"
    "y0dD5mL7XwOhXknhHkzqXH/d7FH6dg9VW8vfyqx6xFf8hj3k9B5Ec9ls8CpWgEQVcu40JK"
    "sHkp27rtIpaLtcpOvNBO2a4QN30O8awUDSy8gFroqQ/5m+b8Tf89MURO8gtL1Cuxja1Qp5"
    "W6KtnbNWoGnKvPkeEFOEijnhBW0QGFkef207ENGXIjKrLFeID24WbnH9VRG8v9RHKwJsW2"
    "B+2+AAsty9b9FVXd8dLI5pwgmZLc5kmSm4I3B7sqTqpdY1aGMBJJN6ZHb5uqWGFZijUSii"
    "tdlNMFczIReShhgpKCygK9aIFWkJUxQAJh1edf2edLmR+RtNLEKzUh6Vum5BqjgArjeKdh"
    "UFAc0+xN5WsJta88NhutYl85De4soY61RD3Uwe/XGHXce1N+VED2JoJs3lkg2jzmeQMHZt"
    "uY92hENOLhJSNcOEJCJNw81DeyZnaPCEZWqZ6eklSQF4LcdjVzIXQsc5aFIzIK5kIw+7uN"
    "5ggSOkUl9yrFpLeyhqUyJJVbwlqqy6JzTZ8j/b6svmMXUMuWddY5D4x0ENGFh+blcFMJuZ"
    "LU1P4otgpyKqCVNH5WrBwfkhAsNROvGdS7IUMM070vgX9MTKFfFn1mFIy2lJVZSSj7UsC+"
    "cLS60vh2Fb4S+LblAW4rhIsizO5mmKuU+kVpvLiUovIqp/L805HL0BspweZNu6uPfPdnUS"
    "76KuejRKUas1SzZQdlv5J1bLfT72feBpWt4y1qXcB8lM/WUUWWDp5NQqXokEjR0UPE1Oct"
    "QXqOsOYgLzUHXLepTVKOzIFbmJNDMGSHpiyvp+w2UUQl0RXZOTjUibHbSH3JXyoZBz9o3k"
    "B0N5Iqly+yC5n23MktFZPs6oTRl+awEuN99YPZ8/8BgEyFCQ=="
)
