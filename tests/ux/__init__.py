"""Issue 12: the CLI as a new user meets it (roots, copies, snippets, hints, cache)."""
