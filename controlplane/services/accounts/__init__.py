"""Accounts: users, sign-in, tokens, passwords and the limits that protect them."""
