"""The tamper-evident audit trail: recording actions, verifying the chain, the journal pages."""
