"""The outbox: e-mail (and later webhooks) written with their event, delivered after commit."""
