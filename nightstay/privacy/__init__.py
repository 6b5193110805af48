"""Privacy mechanisms the whole platform stands on.

Collect less (every field labelled with its sensitivity and retention), keep less (purge
night-scoped rows), encrypt what must be kept (per-field AES-GCM bound to the row, keys
outside the database), narrow access (audited address reveals).
"""
