"""What the operator does to a running duban: check the schema, back up, restore."""
