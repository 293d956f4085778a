"""Configuration from the environment: defaults that run, production that refuses to guess."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from controlplane.config import ConfigError, load_config, normalise_database_url
from tests.conftest import TEST_SECRETS_KEY, run_cli

SECRET = "s" * 40
PG_URL = "postgresql://minispod:pw@db.internal:5432/minispod"


def one_line_error(env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(env)
    message = str(caught.value)
    assert message and "\n" not in message
    return message


def test_production_refuses_to_start_without_a_database_url(tmp_path: Path) -> None:
    message = one_line_error(
        {
            "MINISPOD_ENV": "production",
            "MINISPOD_JWT_SECRET": SECRET,
            "MINISPOD_DATA_DIR": str(tmp_path),
        }
    )
    assert "MINISPOD_DATABASE_URL" in message


def test_production_refuses_to_start_without_a_jwt_secret(tmp_path: Path) -> None:
    message = one_line_error(
        {
            "MINISPOD_ENV": "production",
            "MINISPOD_DATABASE_URL": PG_URL,
            "MINISPOD_DATA_DIR": str(tmp_path),
        }
    )
    assert "MINISPOD_JWT_SECRET" in message
    # Nothing was generated behind the operator's back.
    assert not (tmp_path / "jwt_secret").exists()


def test_production_runs_with_both_and_logs_json(tmp_path: Path) -> None:
    config = load_config(
        {
            "MINISPOD_ENV": "production",
            "MINISPOD_DATABASE_URL": PG_URL,
            "MINISPOD_JWT_SECRET": SECRET,
            "MINISPOD_SECRETS_KEY": TEST_SECRETS_KEY,
            "MINISPOD_DATA_DIR": str(tmp_path),
        }
    )
    assert config.is_production
    assert config.jwt_secret == SECRET
    assert config.database_url == "asyncpg://minispod:pw@db.internal:5432/minispod"
    assert config.log_format == "json"


def test_development_defaults_need_nothing_set(tmp_path: Path) -> None:
    data = tmp_path / "data"
    config = load_config({"MINISPOD_DATA_DIR": str(data)})
    assert config.env == "development" and not config.is_production
    assert (config.host, config.port) == ("127.0.0.1", 3000)
    assert config.database_url == f"sqlite://{data / 'minispod.sqlite3'}"
    assert config.access_token_ttl == 15 * 60
    assert config.log_format == "text"
    assert data.is_dir()


def test_only_production_listens_beyond_loopback_by_default(tmp_path: Path) -> None:
    production = {
        "MINISPOD_ENV": "production",
        "MINISPOD_DATABASE_URL": PG_URL,
        "MINISPOD_JWT_SECRET": SECRET,
        "MINISPOD_SECRETS_KEY": TEST_SECRETS_KEY,
        "MINISPOD_DATA_DIR": str(tmp_path),
    }
    assert load_config(production).host == "0.0.0.0"
    assert load_config({"MINISPOD_DATA_DIR": str(tmp_path)}).host == "127.0.0.1"
    chosen = {"MINISPOD_DATA_DIR": str(tmp_path), "MINISPOD_HOST": "10.1.2.3"}
    assert load_config(chosen).host == "10.1.2.3"


@pytest.mark.parametrize(
    ("settings", "grace", "resources", "log_format"),
    [
        ({}, 30.0, 60.0, "text"),
        ({"MINISPOD_HEARTBEAT_INTERVAL": "5"}, 15.0, 60.0, "text"),
        ({"MINISPOD_HEARTBEAT_INTERVAL": "20"}, 40.0, 60.0, "text"),
        ({"MINISPOD_HEARTBEAT_INTERVAL": "90"}, 40.0, 90.0, "text"),
        ({"MINISPOD_NODE_GRACE_PERIOD": "12", "MINISPOD_LOG_FORMAT": "json"}, 12.0, 60.0, "json"),
    ],
)
def test_defaults_that_follow_other_settings(
    tmp_path: Path, settings: dict[str, str], grace: float, resources: float, log_format: str
) -> None:
    config = load_config({"MINISPOD_DATA_DIR": str(tmp_path), **settings})
    assert config.node_grace_period == grace
    assert config.resource_interval == resources
    assert config.log_format == log_format


def test_a_grace_period_past_three_heartbeats_is_refused(tmp_path: Path) -> None:
    message = one_line_error(
        {
            "MINISPOD_DATA_DIR": str(tmp_path),
            "MINISPOD_HEARTBEAT_INTERVAL": "5",
            "MINISPOD_NODE_GRACE_PERIOD": "16",
        }
    )
    assert "MINISPOD_NODE_GRACE_PERIOD" in message and "15 s" in message


def test_an_empty_variable_counts_as_unset(tmp_path: Path) -> None:
    config = load_config(
        {"MINISPOD_DATA_DIR": str(tmp_path), "MINISPOD_PORT": " ", "MINISPOD_HOST": ""}
    )
    assert (config.host, config.port) == ("127.0.0.1", 3000)


def test_a_changed_copy_is_checked_like_the_original(tmp_path: Path) -> None:
    config = load_config({"MINISPOD_DATA_DIR": str(tmp_path)})
    assert config.replace(port=8080).port == 8080
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        config.replace(port=-1)


def test_development_secret_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load_config({"MINISPOD_DATA_DIR": str(tmp_path)})
    secret_file = tmp_path / "jwt_secret"
    assert secret_file.read_text().strip() == first.jwt_secret
    assert len(first.jwt_secret) >= 32
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600

    second = load_config({"MINISPOD_DATA_DIR": str(tmp_path)})
    assert second.jwt_secret == first.jwt_secret
    # A second data folder gets a secret of its own.
    other = load_config({"MINISPOD_DATA_DIR": str(tmp_path / "other")})
    assert other.jwt_secret != first.jwt_secret


def test_an_explicit_secret_wins_and_writes_no_file(tmp_path: Path) -> None:
    config = load_config({"MINISPOD_DATA_DIR": str(tmp_path), "MINISPOD_JWT_SECRET": SECRET})
    assert config.jwt_secret == SECRET
    assert not (tmp_path / "jwt_secret").exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MINISPOD_PORT", "http"),
        ("MINISPOD_PORT", "-1"),
        ("MINISPOD_ACCESS_TOKEN_TTL", "1.5"),
        ("MINISPOD_RATE_LIMIT_BURST", "0"),
        ("MINISPOD_LOGIN_MAX_FAILURES", "many"),
        ("MINISPOD_MAX_BODY_BYTES", "10"),
    ],
)
def test_bad_integers_are_refused_by_name(tmp_path: Path, name: str, value: str) -> None:
    message = one_line_error({"MINISPOD_DATA_DIR": str(tmp_path), name: value})
    assert name in message and value in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MINISPOD_ENV", "staging"),
        ("MINISPOD_JWT_SECRET", "too-short"),
        ("MINISPOD_DATABASE_URL", "mysql://db/minispod"),
        ("MINISPOD_LOG_FORMAT", "xml"),
        ("MINISPOD_LOG_LEVEL", "LOUD"),
        ("MINISPOD_MIGRATE_ON_START", "perhaps"),
    ],
)
def test_other_bad_values_are_refused_by_name(tmp_path: Path, name: str, value: str) -> None:
    message = one_line_error({"MINISPOD_DATA_DIR": str(tmp_path), name: value})
    assert name in message


def test_an_unusable_secret_is_named_but_never_echoed(tmp_path: Path) -> None:
    message = one_line_error({"MINISPOD_DATA_DIR": str(tmp_path), "MINISPOD_JWT_SECRET": "hunter2"})
    assert "MINISPOD_JWT_SECRET" in message and "hunter2" not in message


def test_the_old_forwarded_for_switch_is_refused_with_its_replacement(tmp_path: Path) -> None:
    message = one_line_error(
        {"MINISPOD_DATA_DIR": str(tmp_path), "MINISPOD_TRUST_FORWARDED_FOR": "true"}
    )
    assert "MINISPOD_TRUSTED_PROXIES" in message


def test_production_refuses_to_start_without_a_secrets_key(tmp_path: Path) -> None:
    message = one_line_error(
        {
            "MINISPOD_ENV": "production",
            "MINISPOD_DATABASE_URL": PG_URL,
            "MINISPOD_JWT_SECRET": SECRET,
            "MINISPOD_DATA_DIR": str(tmp_path),
        }
    )
    assert "MINISPOD_SECRETS_KEY" in message
    assert not (tmp_path / "secrets_key").exists()


def test_development_makes_a_secrets_key_once_and_keeps_it_private(tmp_path: Path) -> None:
    first = load_config({"MINISPOD_DATA_DIR": str(tmp_path)})
    path = tmp_path / "secrets_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_config({"MINISPOD_DATA_DIR": str(tmp_path)}).secrets_keys == first.secrets_keys
    assert len(first.secrets_keys) == 1


def test_secrets_keys_are_a_comma_separated_list_of_fernet_keys(tmp_path: Path) -> None:
    config = load_config(
        {"MINISPOD_DATA_DIR": str(tmp_path), "MINISPOD_SECRETS_KEY": f"{TEST_SECRETS_KEY}, "}
    )
    assert config.secrets_keys == [TEST_SECRETS_KEY]
    message = one_line_error(
        {"MINISPOD_DATA_DIR": str(tmp_path), "MINISPOD_SECRETS_KEY": f"{TEST_SECRETS_KEY},nope"}
    )
    assert "MINISPOD_SECRETS_KEY" in message and "nope" not in message


def test_processes_starting_together_share_one_generated_secret(tmp_path: Path) -> None:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(4) as pool:
        keys = list(pool.map(_jwt_secret_of, [str(tmp_path)] * 8))
    assert len(set(keys)) == 1
    assert (tmp_path / "jwt_secret").read_text().strip() == keys[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jwt_secret", "secrets_key"]


def _jwt_secret_of(data_dir: str) -> str:
    return load_config({"MINISPOD_DATA_DIR": data_dir}).jwt_secret


def test_billing_periods_are_iso_durations_and_retention_outlasts_grace(tmp_path: Path) -> None:
    demo = load_config({"MINISPOD_DATA_DIR": str(tmp_path), "MINISPOD_BILLING_PERIOD": "PT1M"})
    assert demo.billing_period == "PT1M"
    message = one_line_error(
        {"MINISPOD_DATA_DIR": str(tmp_path), "MINISPOD_BILLING_PERIOD": "monthly"}
    )
    assert "MINISPOD_BILLING_PERIOD" in message and "ISO 8601" in message
    message = one_line_error(
        {
            "MINISPOD_DATA_DIR": str(tmp_path),
            "MINISPOD_BILLING_GRACE": "P7D",
            "MINISPOD_BILLING_RETENTION": "P5D",
        }
    )
    assert "MINISPOD_BILLING_RETENTION" in message


def test_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    config = load_config(
        {
            "MINISPOD_DATA_DIR": str(tmp_path),
            "MINISPOD_HOST": "127.0.0.1",
            "MINISPOD_PORT": "8080",
            "MINISPOD_ACCESS_TOKEN_TTL": "300",
            "MINISPOD_CORS_ORIGINS": "https://a.example, https://b.example,",
            "MINISPOD_LOG_LEVEL": "debug",
            "MINISPOD_MIGRATE_ON_START": "false",
            "MINISPOD_RATE_LIMIT_PER_MINUTE": "0",
        }
    )
    assert (config.host, config.port) == ("127.0.0.1", 8080)
    assert config.access_token_ttl == 300
    assert config.cors_origins == ("https://a.example", "https://b.example")
    assert config.log_level == "DEBUG"
    assert config.migrate_on_start is False
    assert config.rate_limit_per_minute == 0


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/d", "asyncpg://u:p@h:5432/d"),
        ("postgres://u@h/d", "asyncpg://u@h/d"),
        ("postgresql+asyncpg://u@h/d", "asyncpg://u@h/d"),
        ("asyncpg://u@h/d", "asyncpg://u@h/d"),
        ("sqlite:///var/lib/minispod.sqlite3", "sqlite:///var/lib/minispod.sqlite3"),
    ],
)
def test_database_urls_are_accepted_as_operators_write_them(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_the_cli_exits_2_with_the_one_line_reason(tmp_path: Path) -> None:
    result = run_cli(
        "migrate",
        database_url="",
        MINISPOD_ENV="production",
        MINISPOD_JWT_SECRET=SECRET,
        MINISPOD_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "MINISPOD_DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr

    result = run_cli(
        "serve",
        database_url=PG_URL,
        MINISPOD_ENV="production",
        MINISPOD_JWT_SECRET="",
        MINISPOD_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "MINISPOD_JWT_SECRET" in lines[0], result.stderr


def test_several_workers_need_postgresql() -> None:
    with pytest.raises(ConfigError, match="needs PostgreSQL"):
        load_config({"MINISPOD_WORKERS": "2", "MINISPOD_DATABASE_URL": "sqlite://x.db"})


def test_the_currency_is_an_iso_4217_code_and_euro_by_default(tmp_path: Path) -> None:
    data = {"MINISPOD_DATA_DIR": str(tmp_path / "data")}
    assert load_config(data).currency == "EUR"
    assert load_config({**data, "MINISPOD_CURRENCY": " usd "}).currency == "USD"
    message = one_line_error({**data, "MINISPOD_CURRENCY": "EURO"})
    assert message.startswith("MINISPOD_CURRENCY: must be an ISO 4217 code")


def test_stripe_needs_both_secrets_and_its_return_pages(tmp_path: Path) -> None:
    key = {"MINISPOD_STRIPE_SECRET_KEY": "sk_test_" + "k" * 24}
    pages = {
        "MINISPOD_STRIPE_SUCCESS_URL": "https://shop.example/paid",
        "MINISPOD_STRIPE_CANCEL_URL": "https://shop.example/cancelled",
    }
    message = one_line_error({**key, **pages})
    assert "MINISPOD_STRIPE_WEBHOOK_SECRET" in message and "sk_test_" not in message
    both = {**key, "MINISPOD_STRIPE_WEBHOOK_SECRET": "whsec_" + "w" * 24}
    assert "MINISPOD_STRIPE_SUCCESS_URL" in one_line_error(both)
    dirs = {"MINISPOD_DATA_DIR": str(tmp_path)}
    assert load_config({**both, **pages, **dirs}).stripe_enabled
    assert not load_config(dirs).stripe_enabled


def test_the_subscription_limit_is_per_team_and_its_old_name_still_sets_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    base = {"MINISPOD_DATA_DIR": str(tmp_path)}
    assert (
        load_config({**base, "MINISPOD_MAX_SUBSCRIPTIONS_PER_TEAM": "4"}).max_subscriptions_per_team
        == 4
    )
    with caplog.at_level("WARNING", logger="minispod.config"):
        old = load_config({**base, "MINISPOD_MAX_SUBSCRIPTIONS_PER_USER": "3"})
    assert old.max_subscriptions_per_team == 3  # an upgrade keeps a deployment's limit
    assert "MINISPOD_MAX_SUBSCRIPTIONS_PER_TEAM" in caplog.text
    both = {"MINISPOD_MAX_SUBSCRIPTIONS_PER_USER": "3", "MINISPOD_MAX_SUBSCRIPTIONS_PER_TEAM": "4"}
    assert "set only MINISPOD_MAX_SUBSCRIPTIONS_PER_TEAM" in one_line_error({**base, **both})
    same = {"MINISPOD_MAX_SUBSCRIPTIONS_PER_USER": "4", "MINISPOD_MAX_SUBSCRIPTIONS_PER_TEAM": "4"}
    assert load_config({**base, **same}).max_subscriptions_per_team == 4
    # Checked as the new name is: the old one's bad value is refused by the new name.
    assert "MINISPOD_MAX_SUBSCRIPTIONS_PER_TEAM" in one_line_error(
        {**base, "MINISPOD_MAX_SUBSCRIPTIONS_PER_USER": "0"}
    )
