"""The model tier: a local code model reviewing changed scopes."""
