"""The evidence file ("dossier de preuve") of a convention: built from the record, sealed, downloadable."""
