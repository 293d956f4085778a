"""Billing: wallets, the double-entry ledger, charges, credits and top-ups."""
