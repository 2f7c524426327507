"""The events one feature sends and others react to, and the hooks of the signing circuit.

A service that has acted (and written its audit entry) sends the event; the subscribers, connected
in one place (`convsign.web.connect_subscribers`, at app creation), react in the same transaction:
the notices and webhook deliveries they queue commit or roll back with the action. So a service
never imports a feature above it, and which subscribers run does not depend on which modules
happen to be imported.

Events (sender: the convention):
- `slots_invited`: a stage opened; kwargs `slots`, the newly invited slots.
- `signature_created`: kwargs `slot`, `revision`, `entry` (the audit entry).
- `slot_refused`: kwargs `slot`, `entry`.
- `convention_completed`: kwargs `revision`, `entry`.
- `convention_cancelled`: kwargs `entry`.

Hooks (their receivers' return values are used):
- `slot_gate` (sender: the slot; kwarg `today`): each receiver returns why the open slot cannot be
  signed yet, or None; the first reason wins.
- `statuses_prefetch` (sender: the sequence of conventions; kwarg `today`): each receiver loads in
  bulk what its gate reads, so judging many slots costs a fixed number of queries.
"""

from __future__ import annotations

from blinker import Namespace

_events = Namespace()

slots_invited = _events.signal("slots-invited")
signature_created = _events.signal("signature-created")
slot_refused = _events.signal("slot-refused")
convention_completed = _events.signal("convention-completed")
convention_cancelled = _events.signal("convention-cancelled")

slot_gate = _events.signal("slot-gate")
statuses_prefetch = _events.signal("statuses-prefetch")
