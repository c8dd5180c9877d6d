"""Example workbooks, installed as the package staffplan._examples (see pyproject.toml)."""
