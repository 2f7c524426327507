"""The home page: where each person starts, by role."""
