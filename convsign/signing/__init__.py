"""Signatures: each signatory's key, signing one slot, completion to PAdES B-LTA, the PKI's pages."""
