"""Review data: the JSONL record schema, mining from git history, synthetic bugs."""
