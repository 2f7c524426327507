"""Accounts: login, logout, invitation links, password reset, profile."""
