"""One module per CLI command; each turns parsed arguments into an exit code."""
