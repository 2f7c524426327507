"""Conventions: the form, the document and its signature fields, the signing circuit."""
