"""Documents: the content-addressed store of PDF revisions.

Their download pages are convsign.conventions.document_views.
"""
