"""Administration: organisations, people and their mandates."""
