"""Backup and restore of a whole instance: database, documents, PKI and audit witness."""
