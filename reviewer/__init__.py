"""reviewer: a local code-review agent for the lines you changed."""

__version__ = "0.1.0"
