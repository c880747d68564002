"""Baselines that need a Python fitter: the multinomial logit over the valid states
(``python -m labor_baselines.logit --job-dir DIR``). See baselines/README.md."""
