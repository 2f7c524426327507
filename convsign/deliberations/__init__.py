"""Deliberations: the council's authorisation to sign, its record, its gate on signing, its extract."""
