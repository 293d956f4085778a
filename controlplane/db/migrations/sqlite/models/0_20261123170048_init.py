from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "auth_throttle" (
    "key" VARCHAR(300) NOT NULL PRIMARY KEY,
    "failures" INT NOT NULL,
    "window_start" TIMESTAMP NOT NULL
) /* Failed-login counter for one key (an account's email or a client address). */;
CREATE TABLE IF NOT EXISTS "users" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "email" VARCHAR(254) NOT NULL UNIQUE,
    "password_hash" VARCHAR(255) NOT NULL,
    "role" VARCHAR(16) NOT NULL /* USER: USER\nADMINISTRATOR: ADMINISTRATOR */,
    "is_active" INT NOT NULL,
    "session_version" INT NOT NULL,
    "last_login_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_users_role_35db31" ON "users" ("role");
CREATE INDEX IF NOT EXISTS "idx_users_is_acti_7e4021" ON "users" ("is_active");
CREATE INDEX IF NOT EXISTS "idx_users_created_43d91f" ON "users" ("created_at");
CREATE TABLE IF NOT EXISTS "refresh_tokens" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "family_id" CHAR(36) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "expires_at" TIMESTAMP NOT NULL,
    "used_at" TIMESTAMP,
    "revoked_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    "user_agent" VARCHAR(256),
    "ip_address" VARCHAR(45),
    "user_id" CHAR(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
) /* One opaque refresh token; only its SHA-256 is kept. Rotation chains form a family. */;
CREATE INDEX IF NOT EXISTS "idx_refresh_tok_family__59d0e5" ON "refresh_tokens" ("family_id");
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSON NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztWm1v2zYQ/iuEviwF0iB2nbTohgFy4iBeG3uwlW3oNgiMRNtCJNIVqSRG5/++IyVZ74"
    "7tWqlj+IsTHe/48hyP90J+0zxmE5ef6IGYGBOfCeES7SP6plHsyX9K24+RhqfTpFUSBL5T"
    "khoGTlOkWe+48LEloHGEXU6AZBNu+c5UOIxKkSvsuMR+67KxQ5HFAiqIj0bMR4wSdE9m6A"
    "hThC3V8hNHxAN+BM0YWa5DqEDYtn3C+ZsTOZ7NLBjQoePtdx1Q52tATMHGREyIDwP8/S+Q"
    "HWqTJ8Ljz+m9OXKIa2dwhLFkD6rBFLOpIl5MsH+lWOW870yLuYFHU+zTmZgwuuCHdUnqmF"
    "DiY0HsFKQ0cN1IBTEpnC0QhB+QxTTthGCTEQ5cqRgpHU4hoWmm2esb5rBjmKZWUFoskQI7"
    "IlmMSoU7VHCFgIefTJfQsZjA57vT03k4UIJEyCZH/EMfXFzrgyPgeiOHZLBvwl3Vi5qaYd"
    "tcdYIFDrtR0CdYj0CJAWitCHiXinK80yI50GEhm4AeExLUk90fQ3xaF+ZjOYO3zUbrfevD"
    "u/PWB2BRs1xQ3i/RQrdnKIATQB9hEezR5AL7ogjqJaAiHI+UI5uXzaFrR8In8T91YV3jFl"
    "+CpdG96QwN/eZ32b3H+VdXIaYbHdnSVNRZjnp0ntv8i07Qn13jGslP9KXf6yg4GRdjX42Y"
    "8BlfNDknOIqZSQF8OMRSmMTkmDSXh9boPmVKknCHrftH7NtmoYU1WRVvsclrenkKpnislC"
    "TRlPOMfMyAjGAhE4PdE1rmgzLtS32QH3LCQQ2sfDUn1AeHwKYYNhSKxJES/xlchTtDjuBo"
    "eK2/bZ6dI4eD65iKEzRgAkt5ZE1gM3DpWDxwHSPsOe6s6IzqGeI7nJJjF6359rZ7WW7JIX"
    "fOfoPAsU+kTD2OSftlFFBLAaBGkj+tX7WXN+TQL4WWmbY5tfTn3JHUlbke2BmhbWJePCtf"
    "Mhr4HoQTRJXVmBPMJ+vEVFmpvQutzlsrRFbnrcrASjZlYSZPUweUYOK1nX5W8uDyd87lp9"
    "UccGJvoOOU2BYUHNnNQb/b169PHuDk20TFWcmDlndZy5ZPJO4baDkruYeHNexjbPchxI52"
    "4CtRe2Qsz53dvgnpFC3RenUklJXaKBLaMUvOhkKQQa0QCwFXZTCk2rLRkDM1o2LgOlBnpf"
    "YP6tbZCki3ziqBlk3z4pZeL1lKidSbKu2Kd3omVyoUdLLoFqG9Yj5xxvQTmSmAuzAPTC1S"
    "AmhUi7mNunmdkCbUxLx8/LiokKQ3FKwdVkxEaOf68EK/7GjzH1MhU6iXVMZibVRXxOSCVi"
    "uEVWN5KDTtgGkfLyk0qb9r+KaYfzulkJ1yS42V7pkaS+6ZGvE9U6oeIm8H1wF4IbB3xabm"
    "2SrVJuBaEmEV6k1TzPkjg0Ny3cpeQXAPd3TzbJVIC7iWIF6ItXzmVpwYHRp4hVggWxyIZO"
    "vCunhE3w47gzVPZCXzEcnff6h+edPtdYfGQDf6QMx85i9rVjpkVskyGtVJRqOYY3ATfLPz"
    "UKKUNgO8Ma3wmGm5nELuQLAmjcSEl/WQ7X7/cyY9b3eNHMS3N+0OQK+QByYnjN6KF9sc8j"
    "KYmPkA0ZGcYAH1ygcDJZIv926gUdeJs+V3Ay7mwlRvbzYoSxWED/XHQ/1xW/XHF42c9rj8"
    "OLU3VHpW8lB03hWtl9i6mv0ab4TSN0/5dzi5mCaSv/o0IK565lJdccq//nll26Gq8jSvs1"
    "6kE9+xJlrZe96w5XjpS96EZ2eKRpXxWGnNqCQEi0613U2ztxKCVdeIKiPd6uy6OsQ95NUV"
    "ebU0qjUQjtj3EN1a6nAwoii98fxt2O9VxJiJSD7WcCyB/kOuw2tL135MBiHByAQUMaZHN/"
    "pfebgvPvfb+UhBdtAuu016ycuP+f/KPzik"
)
