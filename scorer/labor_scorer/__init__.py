"""labor_scorer: constrained-vocabulary scoring of causal LMs with torch (CPU or CUDA).

The same contract as the Node scorers (lib/lm): requests table in, results table out
(lib/lm/arrow-form.ts), the same tokenisation rule (lib/lm/tokenize.ts, tokenize.py here) and the
same context truncation (lib/lm/truncation.ts, truncation.py here).
"""
