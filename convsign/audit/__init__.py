"""The tamper-evident audit trail: recording actions and verifying the chain."""
