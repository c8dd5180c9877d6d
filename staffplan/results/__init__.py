"""Stage 3, results: the solved model as tidy tables, pressure and the reasons demand goes unmet."""
