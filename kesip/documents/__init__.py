"""The archive of issued official documents: each original file kept once, with its SHA-256."""
