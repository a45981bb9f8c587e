"""问题线索: the register, registering a clue, a clue's page and the forms of its steps."""
