"""Verification of any PDF's signatures: the page `/verifier` and `flask --app app verify FILE.pdf`."""
