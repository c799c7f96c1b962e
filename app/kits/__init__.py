"""Interview kits: the question bank, the questions planned for each interview, and evidence coaching."""
