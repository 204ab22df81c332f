"""Parameters: the catalogue (the one source of truth for every parameter), value rules, the `parameters`
table, and the validator."""
