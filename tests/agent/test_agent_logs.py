"""Log lines never carry the join token or the node token."""

import logging

from agent.logs import RedactingFormatter


def record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("minispod.agent", logging.ERROR, __file__, 1, message, args, exc_info)


def test_secrets_are_blanked_in_messages_and_tracebacks():
    formatter = RedactingFormatter("%(message)s")
    formatter.add_secret("jt_join_token_0123456789")
    formatter.add_secret("nt_node_token_abcdefghij")
    try:
        raise RuntimeError("Authorization: Bearer nt_node_token_abcdefghij refused")
    except RuntimeError:
        import sys

        exc_info = sys.exc_info()

    text = formatter.format(
        record("registering with %s", "jt_join_token_0123456789", exc_info=exc_info)
    )

    assert "jt_join_token_0123456789" not in text
    assert "nt_node_token_abcdefghij" not in text
    assert "registering with [redacted]" in text
    assert "Bearer [redacted] refused" in text


def test_short_strings_are_not_treated_as_secrets():
    formatter = RedactingFormatter("%(message)s")
    formatter.add_secret("a")

    assert formatter.format(record("a normal line")) == "a normal line"
