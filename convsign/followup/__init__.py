"""Follow-up of the circuit: notifications, refusals, the coordinator's corrections, reminders, expiry."""
