"""The JSON API (`/api/v1`, Bearer tokens only) and the pages that manage tokens and webhooks."""
