from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

# New tables only: nothing the previous release reads changes. Hand-edited after
# `makemigrations`: the CHECKs (a wallet never below minus its credit limit, only
# wallets cache a balance, no zero postings, no non-positive top-up), the indexes a
# statement reads by, and triggers that refuse UPDATE and DELETE on the ledger's
# rows (append-only: a correction is a new transaction).


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "ledger_accounts" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "key" VARCHAR(120) NOT NULL UNIQUE,
    "kind" VARCHAR(24) NOT NULL /* WALLET: WALLET\nREVENUE: REVENUE\nREFUNDS: REFUNDS\nPAYMENT_CLEARING: PAYMENT_CLEARING\nPROMOTIONAL_CREDIT: PROMOTIONAL_CREDIT */,
    "owner_type" VARCHAR(16) /* USER: USER */,
    "owner_id" CHAR(36),
    "currency" VARCHAR(3) NOT NULL,
    "balance" BIGINT,
    "credit_limit" BIGINT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    CONSTRAINT "ck_ledger_accounts_not_overdrawn" CHECK ("balance" IS NULL OR "balance" + "credit_limit" >= 0),
    CONSTRAINT "ck_ledger_accounts_credit_limit" CHECK ("credit_limit" >= 0),
    CONSTRAINT "ck_ledger_accounts_wallets_cache" CHECK (("kind" = 'WALLET') = ("balance" IS NOT NULL))
) /* A wallet (owned by a user today, a team later) or a platform account. */;
CREATE INDEX IF NOT EXISTS "idx_ledger_acco_owner_i_17b8ef" ON "ledger_accounts" ("owner_id");
        CREATE TABLE IF NOT EXISTS "ledger_transactions" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "idempotency_key" VARCHAR(200) NOT NULL UNIQUE,
    "type" VARCHAR(16) NOT NULL /* TOP_UP: TOP_UP\nCHARGE: CHARGE\nREFUND: REFUND\nADJUSTMENT: ADJUSTMENT */,
    "currency" VARCHAR(3) NOT NULL,
    "reference_type" VARCHAR(32) NOT NULL,
    "reference_id" VARCHAR(64) NOT NULL,
    "actor_id" CHAR(36),
    "reason" VARCHAR(500) NOT NULL,
    "created_at" TIMESTAMP NOT NULL
) /* One movement of money: two or more postings summing to zero. Never updated. */;
CREATE INDEX IF NOT EXISTS "idx_ledger_tran_type_797202" ON "ledger_transactions" ("type");
CREATE INDEX IF NOT EXISTS "idx_ledger_tran_created_056e6f" ON "ledger_transactions" ("created_at");
        CREATE TABLE IF NOT EXISTS "top_ups" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "owner_type" VARCHAR(16) NOT NULL /* USER: USER */,
    "owner_id" CHAR(36) NOT NULL,
    "user_id" CHAR(36) NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "provider" VARCHAR(32) NOT NULL,
    "status" VARCHAR(16) NOT NULL /* PENDING: PENDING\nCONFIRMED: CONFIRMED */,
    "reference" VARCHAR(32) NOT NULL UNIQUE,
    "instructions" TEXT NOT NULL,
    "transaction_id" CHAR(36),
    "confirmed_by" CHAR(36),
    "confirmed_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    CONSTRAINT "ck_top_ups_positive" CHECK ("amount" > 0)
) /* Money a customer said they will pay in, through a provider; credited once, on confirm. */;
CREATE INDEX IF NOT EXISTS "idx_top_ups_owner_i_9580bf" ON "top_ups" ("owner_id");
CREATE INDEX IF NOT EXISTS "idx_top_ups_user_id_02d49f" ON "top_ups" ("user_id");
CREATE INDEX IF NOT EXISTS "idx_top_ups_status_a2ee97" ON "top_ups" ("status");
CREATE INDEX IF NOT EXISTS "idx_top_ups_created_a3aadb" ON "top_ups" ("created_at");
        CREATE TABLE IF NOT EXISTS "ledger_postings" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "amount" BIGINT NOT NULL,
    "balance_after" BIGINT,
    "created_at" TIMESTAMP NOT NULL,
    "account_id" CHAR(36) NOT NULL REFERENCES "ledger_accounts" ("id") ON DELETE RESTRICT,
    "transaction_id" CHAR(36) NOT NULL REFERENCES "ledger_transactions" ("id") ON DELETE RESTRICT,
    CONSTRAINT "ck_ledger_postings_nonzero" CHECK ("amount" <> 0)
) /* One leg of a transaction: an amount (never zero) added to one account. Never updated. */;
CREATE INDEX IF NOT EXISTS "idx_ledger_post_created_a61bcb" ON "ledger_postings" ("created_at");
CREATE INDEX IF NOT EXISTS "idx_ledger_post_account_created" ON "ledger_postings" ("account_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_ledger_post_transaction" ON "ledger_postings" ("transaction_id");
CREATE TRIGGER IF NOT EXISTS "ledger_postings_no_update" BEFORE UPDATE ON "ledger_postings"
BEGIN SELECT RAISE(ABORT, 'ledger_postings is append-only: correct it with a new transaction'); END;
CREATE TRIGGER IF NOT EXISTS "ledger_postings_no_delete" BEFORE DELETE ON "ledger_postings"
BEGIN SELECT RAISE(ABORT, 'ledger_postings is append-only: correct it with a new transaction'); END;
CREATE TRIGGER IF NOT EXISTS "ledger_transactions_no_update" BEFORE UPDATE ON "ledger_transactions"
BEGIN SELECT RAISE(ABORT, 'ledger_transactions is append-only: correct it with a new transaction'); END;
CREATE TRIGGER IF NOT EXISTS "ledger_transactions_no_delete" BEFORE DELETE ON "ledger_transactions"
BEGIN SELECT RAISE(ABORT, 'ledger_transactions is append-only: correct it with a new transaction'); END;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "ledger_postings";
        DROP TABLE IF EXISTS "ledger_transactions";
        DROP TABLE IF EXISTS "ledger_accounts";
        DROP TABLE IF EXISTS "top_ups";"""


MODELS_STATE = (
    "eJztXW1z4jgS/isqvuxMFTs1kJCZy15dFUnILrsJpIDsa7Zcxhbgiy0xsp1M7m7++0l+Ab"
    "/IjuUYYhx9CUZS2+RpWWo93Wr9t2VhHZr2h77rrGYrgh3HhK1T8N8WUi12wa1vg5a6Xm9r"
    "WYGjzj3JlkpbKk606dx2iKo5tHKhmjakRTq0NWKsHQMjJnKpGibUvzfx0kBAwy5yIAELTA"
    "BGENzDJ/BORUDVvJrvbAAt2h7QahVopgGRA1RdJ9C2339gz9OxRh9ooGX1t3aR8cWFioOX"
    "0FlBQh/w19+02EA6/Art8Ov6XlkY0NRjONJnsTt4FYrztPYKz1cqufSast89VzRsuhaKNF"
    "8/OSuMNu3p/8VKlxBBojpQj0CKXNMMVBAW+b+WFjjEhZufqW8LdLhQXZMphkn7P2Fb1lKU"
    "0XimTAczRWmllBZKRMAOijSMmMIN5NgeApb6VTEhWjor+vXo48dv/oO2SPjN2BN/7U/Of+"
    "pP3tFW79kjMe03fq8aBVVdv+6bdxPVUf3beNBvsV5QJbpUa2nAh8jh4x0VSYBO/5EyoIcF"
    "W9S3vT+E+OOuMF+yX/B9t3P86fjz0cnxZ9rE+5Wbkk85WhiOZh7AW0Af6T+BHxXbUYmTBv"
    "WCouIYFuQjm5RNoKsHwh/Ci11hvcMunoPlbHg9mM761zfs9pZtfzE9xPqzAavpeqVPidJ3"
    "J4nOv7kJ+G04+wmwr+DP8WjgwYltZ0m8J27bzf5ssd9Eh2KsIAo+HcQimITFYdE3Nmgt7i"
    "OvEiuYq9r9o0p0JVWDuzirbbrK6lrJEhWpS09JDE32O4M5ZkhBVZHGnX82dblzjxG0sovN"
    "O7MVBMRFiOoW2IYOAV7Qgd9255tWp+CRjvMQGA4wbLA2VQ3qQEU6WOHHoFDHVDw98VR87x"
    "fMPIaefmVvb4cX/NfVb514SV3X0D8wmd3MPq1/LlykMUyA9yT25/hfrf2/rf7k479+0RfL"
    "+9fz55yoZhUxyDmi+8X/dYbGZ8GOgAvJg6FBUVxjUlVCmp5vDg9Tl8IjCGhERKIZRxPRyU"
    "gQzYjIC9AMoGoUmHQSd1yO9c6WSwPkWh6eUYsg/tpvpKtZPRVAtHUzGF0MRz8KTlmh2CkI"
    "Lu7QzWT863A6HI/84si3OzS5HfnFwcUduuwPrwYXp8D/vEPT2fjmhhUEF0mrpMgKrXNSYI"
    "HWSZqo2/UZq4qrk0DVpv8vV538V2MrUUqFz78Te10eJPD92D0ugjBtlo2xVxlHWYcOXcOK"
    "oLyVaB7K3Y/HnwugzJplouxXJmZNIgRx0Lx5+FbI40QmUfppr1V/TC8KcUxoVyP+KyJ9cl"
    "QA6JOjTJxZVRxmbe2mAb40sZrBjQXtE9gumMABopuD5sX49uxqQGfdwbk368bZGa+SFdEC"
    "w/EwmAz6VwlwLWhhwqF6z4xlJvm4ldkf9bjL/uuzj//odo+OPnU/Hp187h1/+tT7/HFDQ6"
    "ar8vjIs+GPjJKM9e80R2k7tHbJGTrykI8ISehLQ+9xVxZEHG745+l4xIc+JpQkhQ3NAf8D"
    "pmHvTAkRzmnuGqZjIPsDe+xr0E4MpBg/HI7e7677vycH9vOr8VlyDcVucJbiTDQCHc4qKl"
    "slERGpkMoV4jO8iirsQYkJVuA+qZlheejek5hpRVeuTiklxyUb6CRji3p9jMynoAceiNqD"
    "lyVX6+5aL6n1uKTUel20znnZvV9fE0/pz9hAM3wPUYvjKt1WtvN8pf+mzRSHtSvoLe0DzX"
    "RtFj/DRIEnClj0jG4ZyGDS1JgGKxXpNq0E9JfTPvADsFf4EQGMNHpLZm5DnbaxV1BP+0x3"
    "8gTpOa0Fu5/tOfU+UzjnEz4N5Xo6hVi1Tg6r1kmzat5rpLA3QgTluFTj4tBOinDwJ9kM/E"
    "mKf18TuDC+ikC8lWhiV67cjQS/rg06qpSwsuKScgVVH6MqbUuzTuTaQrGbUZFSLF7N1Fl1"
    "9KYgnC+CstFhsAQ+0FmxzDovLilHoDqPQJLDyX6hDnM1X4TDCXU35/justd8camdhnHV5X"
    "1+ZqVXE4bkCupLSPr+xp4WhyWJN2jnMSWm11QJdgkVZkseVdOEDniHHxHUwfwJqIAFUAIH"
    "6+pTm35zoGoBk/YJ8t7fcrSmXxaYWOGGJB5DUsFd79AdYuHplrGkPZJxB/Q1sWnL858G57"
    "8AZ6U64B7CNSvyH/edDTRVW7EHqiYLugO0Cbv5HD/AO2QZyLWB4dBWBOqGA0zDMhzaqelD"
    "2LJ/rjKEEKYydOwA2CVAozC3AV0AMWuDcTz0RkQn6sKRpE1dXuV2Dmkjt7P5q9xuIcKmm0"
    "PYdFOEzT39z/jgPh/8GsrWmVFo/da/uhrMToH/eYcmg18Ho9vBKQguWMnl7ehiykq8izt0"
    "0//jejCaKedXg/7ED45NlHjBs9fj2XA86l8p55PBxXDmhdAmypKDaqFwwiJ0UU7AZjpck4"
    "3fxNdPSVXH71DjEMPW7XQwOQXsbxnsq2eSfOTEJoqojAzXj5vOLiEQaUITQlSmzmNV2fDY"
    "IsGx2aGxyQ4bWF1pgPNi2yJCDWLF9hza5hu0imfQisGflGwMnbZ/DUg65k3QMQLUQcTtRp"
    "9LMeIQ3GeB5OUvE2h661xON4ixATf+vQ6wJ3wL+35Y2ooErOyWYwlBy+RYIqg+y7FEtfk8"
    "xzJGEJhw6W+tp22RrWr+znoWNGIxsgO8Q/ABEvAfSPB7xnNAnYWOsOwvIR0CRl6LIBQrzb"
    "ns7CmS5KiFIZtNcvjKFZv2tzJyQ0HpOT8wXRV14UBSyurdikrb921YXnslAZtleEWVHsxX"
    "guxIXGq3ySEOxBEWC8HbWg2CwKYlJbg8LyMX6zTQl5hAY4l+gU8pbjVvYTCL3/MwYU4tDm"
    "gxUR831iWnr9ELigIMN7tOZ5Ph+azFGy8qgzrikW0ozPGxMgPi1/SaR3t75qou8Uo8u7KL"
    "dC6B1Z2FH7w9omzxZdHl1BOF9BEz17NFuxcIl4vAdi2LZVqjiy62Biu0pqvw3nIlV4M5oZ"
    "2zkjN0aK2xwzwOiqDrmiPaODd2t9C+g27OvoMuZ9/BC3ybL/Jq7mex0JqNb5Tbm1Pgf94h"
    "BsSPg1Pgf4Y+7NCFfYf6Fz/fTmfMZX0Kttf18IhKF96uXXgELiCDC+b4/LNih5OSTUS7Ww"
    "Tubjbe3WzAeVNsEbi5k20TwK5+8xM15LBoREVURkbOvnLKvFIdtrUrIzDeXXuFrJNejnXS"
    "S1snktx8I+Sm9Coflld5RD8GD5Aftb+tbOdxDl5qXcjaFY7WJ1DDhPltV1A1nZXv6DW8Va"
    "/n+GW35MXjF5armCPI84Fx51SO4yt4Zeq7SN2j2ysnP8FrpXau2bxQjWWzINhSXpbgOXGL"
    "Okc+pxM8989nw18Hp8D/vENMejLoX/xxCjaXd2g4CtuFV3fouk/76mDUH53T4siXejAIdN"
    "Z9mVZjN6jzousNKfUwliF7Wzf3OkVYCtoqeyHSSfEUh7UQqctauk4rjxCTup6rxIzmqWqt"
    "+Sf7RWqft6ltr6GAA4+oj8CBJrSgQ56AL/4DeIe87Z82/PKeHXPk9zdgY2ovE7g21Sc/j5"
    "fN9oyuPN/bo6FxzO+dPIFjqP8VtejoPVt/J0z3WAPaeWn1X96ntOmlTX+gQ6zQ+UxfxHpz"
    "ICBDZEsHZ/IyO+chzk3rLAEvDri2dpU1JBo3zXn+6QlROXmKQvFTFFhWL8FpMiEo+3vp/q"
    "4b9n0JBcTEJPyl4afjgt4RGmg2EnKIKTLEMLh6wgD3JMAiAHfEEe5IiHMhrh2pMMGm6a5b"
    "udRC0KZdkGBQiNe+IM/gP8IG2NRZIqyVirzMU4wYINChdhdzxvnHkLeB+gDZiT86oDYZmL"
    "vaPeSk2arkjs/xCH7TFJUgGQPJGBzokCbAGASdX6hDb2WkXVnarnw0dIeTCD4T9E37JmFe"
    "WUbgCB9eEM+IhERU0iyva6JHQFMslXN4QTHAQ1kJuuS2DmISlNyW5LaaNsTUiBfIPJpsW9"
    "l+lgkQOZqMZbOeQ5XQBThLu8cW6KrJ4m9ZBiZ2t+9s/7SwH/wM1CxV9fSn/vfd3gmLDriH"
    "aw4JUNVN5ebgWqw9s5f28oCsvewRk4Fu2dA3a8uNPDPnhYNZnZScGd0Y1bJkR3eZ0ohBxT"
    "GXRRPs/IbJPSSj4GaHCeyz2XUi3SqWWue8Pz3vXwxeK7POBC6ouleZlnGsPtc4Jn5LIfuY"
    "xcnitcpCYANx/3DdHMsVTLDjHw6jrSjcNvCPkKFPsAzziR+KW/0jpO1cg5Epz3b2dSU49M"
    "eE5AY5eVzvK6xGanSabE2n2kYYpoytLaHjiJhceNRZv3J5+Ra0LKmj7HmyudQRO9dS8Rh2"
    "EUsoLlXj5AAlTSG6gipgC9FW2bkae6mN3saa6YWqLmP7fsaiKSbVPKiPewWQPu5lAs2qUk"
    "exi6ZJi4hIniyfJ2NQVcCT3Qa3OUxIn2XIIh2qTgzZFJIHQ4MtDjkWVrXzeDHbb1SMEcsG"
    "VTJONXjH2zmMk/cpMEmF7RvHiXQKpUXs5KRF7KTTItqmuxRBN2zfOHRPiuT/PclOAHySyg"
    "Ac/VkphGfwa1bQWVysAdk985Yog99nsdVJCOi76/7v72MrlKvx6MeweUQB51fjs2TgAQVm"
    "iYlYcuuITI2TkJfs3L1iCVVz8qkmO/cDJDa3Y2dDHBFpYq6oyiF+WXq13edWS1sbfpIzwW"
    "GklUymxkubdjFg8ZH92eDiFGyvW2Vm0cqTplkYOSvzSVkTQ/TI5pSoDDIuHWTsQGttUpDS"
    "Gvh5Oh5leNEiMkmu0NAc8D9gGvYhqiAHTYZG/pSbnF0TNju7QXLKpVXYJRpvZ1Q2+jGhF8"
    "FfM1Zp3+hLujx7LGowXe4fSFXG2xmTlFqvi9Y5vrFN+vUabPWYuvOoNtK0XbS+ncvdRVpK"
    "Aq/hBF6dfSCHFy4W0N6CgMalJKYJTN25ji16UyEmNCok6dBn6dDDozOCdO+ifMbz6eKnt1"
    "NWx8iMzeUdOmd54K+uWOnm8g4Nfr8ZTlhZcFEPzsM/C9BhCQEMrLNE/kR87ZFxjwbao4dr"
    "f3Jis+Jqg4gzEQkpPrhD8w7WapLWIXoQoXaC5vvn1CIG89w1TMdA9gf22NewmXfD9bDp0T"
    "TLsT0JWRkEW+dXTrJ62ebNYfI7ktV7i1qvOas3w+tbbjZXv6Kdx+M5eK0UTtt6jRF8AirQ"
    "XNvBFiTAVg2d5Vl9Ao+GaYK1+gQM1KYlBLvLFW25JvjB0CH5wUvIYtCOCjCdwdqAbSHFaG"
    "EQK70xdXePkUxjLXibbKYRP1JUfMBSaBejGeJ3qHOYSut2OpicAva3HpSAD51YR4/KSFLy"
    "cLYOHB6aqoVd3r6ivOicrYwMyykdluOTPZpYMGZEps5jcEluvQi1ns2sp4j10HwRQTgq00"
    "SEi5zbeZR9bOdR6tTON+y9OB+PLoeTa88vEV7Ww+QgcAHZQCG0PyQm1Di/XfU932BPc7VN"
    "qEbRfQxJuUYMM/veykAfjWzVA1HQFkxLvsAkPByWV8AkDJb2UFfmHOskG9mknMQ1C9cSzH"
    "VCVnoo6kNaHrqHYq+T8mFS1VkOippQ1d5GfQ5THW7gzyaqGTMiA00bTv++7k7xWi2Ad7JX"
    "HFqqYYoAvBFo3DKr2yuSoJC2yknKk0pRuFZt+xHTQVI0GWRKsIE9utsrkpyHtspBPJWeh2"
    "CztKsolN0fo7Px9ZTyEt2h/sX1cDSczib92ZgWxr7Wg9AxbIUtWR9422gxxVtFGTNmVC6h"
    "kDkV3JFGwoL9zpBn4/FVzFY8GyaZhNvrswGF3kN+e3AM5zg7aLMt+Urmbv7sY+3Skvtzkn"
    "R2NeJUfLadqdqOYuKlgUoskVLCci0s18JyLfzqa2EZrNdkrVcQrBfzTyWObkjYNIH85S8T"
    "aKoZGZ8yDow4sO7wLXwBEskKv+2SL4ocgMJhjeLHo2RzR49eO4UdNLJ7CumvxHRg6P6B8Z"
    "JWeqO0Uq1IjyKRK7RVzhI8Fb2yosoQRTgq00iqYwc4v1rG53pjXX3KZ3ZOtoaJ0CHxMZkm"
    "BRtWeky8SrSV4UDNcYnQcMGTbWBXrj70x8GOair+MeQc6zUndDYp2aQ+ve+8dh6UtkPbLA"
    "XTC6ZEpRpKq6Hs4CMHnhIDD14zNOgvUOwn24GWCOA82QaC3ul+LuJ96X7Odr+wOhnlnJGj"
    "hUlPBv2LP07B5pKfm/a6T0eLwYilbDkFkS/1cKn5SlEIVG2xdM0pwead99LrFBm5aKvsrM"
    "2djJ0CirZS0bIUNcy9gXT+1IcQTvsBDO890XlG8jNu643YzrzWaaVuSg7Wb02Bs7UV1F0f"
    "B2HUE8IyYqAw8mz8XGNdhNyIiuwxRqDzcbfrj+qojTAdlhisSbH9QXsowKqmiTXPl6Kt3T"
    "SylyZWs3b+JiUT4C6Y6KHBm4Pdxfj27GoA2LkKw+kwyFq1mWG9yvjAQM3hq0y0yxBGPOnG"
    "9Oh9UxUbLEuxRlxxqYtyuqBGJiQPJYagpKAcgZ4dgTaQlRmAOMKyz7+wz5cafnjSUhMv1I"
    "SgbZmSa4wCKoztnQeBQnFMs3OibiVkWtTYarSKtKjeAeCKuFKSclI1lavG8Z8soJStRD3U"
    "wZ7XGHXcu3N2BHT2no9slwBHtHlOgZMiO/tOsjf2naT29dHHsR4NiUJcFJL1hYNXeMLNQ3"
    "0n7sx7SBA0S/X0lKSEvBDk2FYMi2vz53jsIzIS5kIwe5vDVlAlzhyW3FoWk5buxTq7F0N9"
    "mc5K0VZQuy+r8NgNpM7rrHMWtLqGRIO8rKU5vGFCriRteDiKrYI49Ck/xbUhZ0NN7vnNcc"
    "FSLEnNoH4doko37PsS+MfEJPpl0aeDgt4RGmU2EnJ8KTC+MLR6wvj2JL4C+HbEAe5IhIsi"
    "TJ+mGxkpYLN5vLiU5PJ2xHqX4DdSgs1bd1e/K8FbRdnwi5iNEpVqjBttzwYK23tPMdQIdI"
    "STo/Fkm9fbd8BaH1RCm/1Cf5i5TWRGm7eodQ7bVD6jTRWZbFjGFZnGRiCNTR8SQ1u1OCls"
    "gpp2XvoaddumNrmPM40lbo4ajpkUDGV5PeV1E6dUEm2UnZOmhMn/UmO/bq/iHtLDspdKAO"
    "GgeQPR3Uk6aRbZwPVu5BIKDt+xsQc24XXYm8p4A4H5vvrJ7Nv/AXtaD6o="
)
