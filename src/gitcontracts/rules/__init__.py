"""The rules: documents in, problems out. Pure: no files, no git."""
