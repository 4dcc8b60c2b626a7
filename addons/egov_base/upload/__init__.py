"""The upload guard (guard.py) and where it runs (attachment.py)."""
