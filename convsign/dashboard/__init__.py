"""The coordinator's dashboard: progress of every convention, each signatory's status, the timeline."""
