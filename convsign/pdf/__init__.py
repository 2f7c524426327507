"""PDF documents of convsign: generation, signature fields, PAdES signing and validation (no Flask)."""
