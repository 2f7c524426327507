"""The instance's public trust services: the root certificate, the CRLs, the timestamp authority."""
