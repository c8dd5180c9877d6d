"""Jobs that run the stages end to end for one command (plan, compare, risk)."""
