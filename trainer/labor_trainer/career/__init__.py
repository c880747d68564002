"""The CAREER-style baseline: a small causal transformer over a person's yearly states with
covariate embeddings, optionally pretrained on another population, run as a job in a folder
(``python -m labor_trainer.career --job-dir DIR``). See trainer/README.md.

Files: job.py (entry point, exit codes, signals), spec.py, data.py (inputs), sequences.py
(careers as sequences and batches), model.py, setup.py (from inputs to a ready Fitter),
fit.py (the training phases), checkpoint.py, infer.py (distributions), output.py (output/
and metrics.json)."""
