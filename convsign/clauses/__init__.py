"""Convention models made of clauses: the instance's defaults and each draft's articles."""
