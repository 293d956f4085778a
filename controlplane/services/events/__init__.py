"""Events: the outbox of domain events and the channels (email, later webhooks) that deliver them.

A domain that has news writes it with `Outbox.emit` inside the transaction of the
change itself; this package imports no other domain, so any domain may emit.
"""
