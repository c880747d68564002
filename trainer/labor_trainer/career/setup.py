"""From a resolved spec to a ready Fitter: reads and checks the inputs, builds the covariate
vocabularies (from the training rows of both populations), encodes the careers, builds the
model and the phases. `Data.finish` predicts and writes the outputs after training."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import InvalidInput
from .data import Points, Taxonomy, read_points, read_taxonomy
from .fit import Fitter, Phase
from .model import CareerModel
from .output import metrics, predict, write_output
from .sequences import COVARIATES, Encoded, build_vocab, encode, predict_windows, train_windows
from .spec import SPLITS


@dataclass
class Data:
    spec: dict
    key: str
    job: object
    log: object
    status: object
    device: torch.device
    tax: Taxonomy
    pts: Points
    enc: Encoded
    vocab: dict
    config: dict

    def finish(self, fit: Fitter) -> dict:
        """Predicts with the best weights, writes output/ and returns metrics.json's content."""
        self.status.update(phase="predicting")
        model = fit.model
        model.load_state_dict(fit.best_weights)
        parts = predict(model, self.pts, self.enc, self.spec["predict_splits"], self.spec["max_len"], self.device,
                        progress=lambda: self.status.update(force=False))
        weights = {k: v.detach().cpu() for k, v in fit.best_weights.items()}
        write_output(self.job, self.pts, self.tax, parts, {
            "model": "career", "state_dict": weights, "config": self.config, "states": self.tax.codes,
            "kinds": self.tax.kind_levels, "covariates": list(COVARIATES), "vocab": self.vocab,
            "best_step": fit.st["best_step"], "fit_key": self.key})
        return metrics(self.key, self.spec, fit.st, parts, self.pts, model.n_params(), self.tax.size,
                       fit.total_steps)


def build(spec: dict, key: str, job, log, status, stops, device: torch.device) -> tuple[Fitter, Data]:
    tax = read_taxonomy(spec["taxonomy"])
    pts = read_points(spec["features"], tax, "features")
    train_rows, valid_rows = pts.rows_of(["train"]), pts.rows_of(["valid"])
    if not len(train_rows) or not len(valid_rows):
        missing = [s for s, r in (("train", train_rows), ("valid", valid_rows)) if not len(r)]
        raise InvalidInput(f"{spec['features']}: no point of split {' or '.join(repr(s) for s in missing)} (found "
                           f"{', '.join(f'{s} {int((pts.split == i).sum())}' for i, s in enumerate(SPLITS))}); the "
                           f"model trains on train points and keeps the weights with the best valid log-loss")
    if spec["use_weights"] and pts.weight[valid_rows].sum() <= 0:
        raise InvalidInput(f"{spec['features']}: every valid point weighs 0 (column 'weight'); the validation "
                           f"log-loss is undefined (set use_weights false)")
    sources = [(pts, train_rows)]
    pre = None
    if spec["pretrain_features"] and spec["pretrain_epochs"]:
        pre = read_points(spec["pretrain_features"], tax, "pretrain_features")
        pre_rows = pre.rows_of(spec["pretrain_splits"])
        if not len(pre_rows):
            raise InvalidInput(f"{spec['pretrain_features']}: no point of the pretrain_splits "
                               f"{spec['pretrain_splits']}")
        sources.append((pre, pre_rows))
    vocab = build_vocab(sources)
    enc = encode(pts, tax, vocab, spec["use_weights"])

    def seqs(e: Encoded, splits) -> list[np.ndarray]:
        keep = {SPLITS.index(s) for s in splits}
        return [q for q, s in zip(e.sequences, e.seq_split) if int(s) in keep]

    phases = []
    if pre is not None:
        pre_enc = encode(pre, tax, vocab, spec["use_weights"])
        phases.append(Phase("pretrain", pre_enc, train_windows(seqs(pre_enc, spec["pretrain_splits"]), spec["max_len"]),
                            spec["pretrain_epochs"], spec["pretrain_learning_rate"] or spec["learning_rate"],
                            spec["batch_size"]))
    if spec["epochs"]:
        phases.append(Phase("finetune", enc, train_windows(seqs(enc, ["train"]), spec["max_len"]), spec["epochs"],
                            spec["learning_rate"], spec["batch_size"]))
    config = {"n_states": tax.size, "n_kinds": len(tax.kind_levels), "covariate_sizes": [len(vocab[c]) for c in COVARIATES],
              **{k: spec[k] for k in ("layers", "hidden", "heads", "dropout", "max_len")}}
    torch.manual_seed(spec["seed"])
    model = CareerModel(**config).to(device)
    valid = (enc, predict_windows(seqs(enc, ["valid"]), spec["max_len"]))
    log(f"{pts.n} points ({', '.join(f'{s} {int((pts.split == i).sum())}' for i, s in enumerate(SPLITS))}) in "
        f"{len(enc.sequences)} careers; {tax.size} states; covariate levels "
        f"{ {c: len(vocab[c]) - 1 for c in COVARIATES} }; {model.n_params()} parameters"
        + (f"; pretraining on {pre.n} points of {spec['pretrain_features']}" if pre is not None else ""))
    fit = Fitter(spec, key, job, log, status, stops, model, phases, valid, device)
    return fit, Data(spec, key, job, log, status, device, tax, pts, enc, vocab, config)
