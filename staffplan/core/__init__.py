"""Shared by every stage: errors and exit codes, month arithmetic, atomic writes, packaged files."""
