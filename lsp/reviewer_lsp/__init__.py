"""reviewer's language server (pygls): the engine's findings on the lines
you changed, as diagnostics with quick fixes, while you type."""
