"""Report templates, installed as the package staffplan._templates (see pyproject.toml)."""
