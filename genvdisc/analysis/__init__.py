"""Studies over training subsets that fit many small models at once (no engine run)."""
