"""The internal PKI of convsign: CA, signer certificates and keys, CRLs, timestamps (no Flask)."""
