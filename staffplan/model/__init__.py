"""Stage 2, model: the LP/MIP of spec/model.md built in PuLP, and its solve with HiGHS or CBC."""
