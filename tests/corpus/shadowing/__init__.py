"""An app with an ``export_schema`` command (strawberry-graphql-django has one)."""
