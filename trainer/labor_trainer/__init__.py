"""labor_trainer: the project's fine-tuning job (train, checkpoint, export to ONNX).

Entry point: ``python -m labor_trainer.train --job-dir DIR`` (see trainer/README.md).
"""

__version__ = "0.1.0"

# The one special token of tokenizers this package trains (bos = eos = pad = unk).
ENDOFTEXT = "<|endoftext|>"
