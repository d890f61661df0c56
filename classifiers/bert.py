"""Fine-tuning and batched inference of a BERT-family sequence classifier on CPU.

The model is the base encoder, mean pooling over the tokens and one linear layer. Mean pooling is
what sentence-embedding bases such as all-MiniLM-L6-v2 were trained with; their [CLS] pooler was
not trained, and a head on it learns from a weaker signal (measured in docs/classifier.md).
Fine-tuning is "linear probe, then fine-tune": the linear layer is first fitted on the frozen
embeddings, so the encoder's first updates follow a sensible head instead of a random one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from tqdm import tqdm
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer
from transformers.utils import logging as transformers_logging

from classifiers.baseline import rows_per_class
from classifiers.text_windows import head_tail

HEAD_FILE = "head.safetensors"


@dataclass(frozen=True)
class FineTuneConfig:
    epochs: int = 4
    batch_size: int = 16
    learning_rate: float = 5e-5
    weight_decay: float = 0.01
    probe_c: float = 0.01  # inverse L2 strength of the linear probe (on standardised embeddings)
    seed: int = 13


class MeanPooledClassifier(torch.nn.Module):
    """Encoder -> mean of the token vectors (padding excluded) -> dropout -> linear."""

    def __init__(self, encoder: torch.nn.Module, n_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(encoder.config.hidden_size, n_labels)

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.embed(input_ids, attention_mask)))


class LegacyPooledClassifier(torch.nn.Module):
    """Bundles written before mean pooling: a `AutoModelForSequenceClassification` ([CLS])."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits


class BertClassifier:
    """A tokenizer + mean-pooled classifier; long texts are cut to head + tail."""

    def __init__(self, model: torch.nn.Module, tokenizer, labels: Sequence[str],
                 max_length: int, head_fraction: float) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.labels = list(labels)
        self.max_length = max_length
        self.head_fraction = head_fraction

    @classmethod
    def from_base(cls, base_path: Path, labels: Sequence[str], max_length: int,
                  head_fraction: float, seed: int = 13) -> BertClassifier:
        torch.manual_seed(seed)
        transformers_logging.set_verbosity_error()  # unused pooler weights are expected
        tokenizer = AutoTokenizer.from_pretrained(str(base_path))
        encoder = AutoModel.from_pretrained(str(base_path))
        encoder.config.id2label = dict(enumerate(labels))
        encoder.config.label2id = {name: i for i, name in enumerate(labels)}
        return cls(MeanPooledClassifier(encoder, len(labels)), tokenizer, labels, max_length,
                   head_fraction)

    @classmethod
    def load(cls, folder: Path, max_length: int, head_fraction: float) -> BertClassifier:
        transformers_logging.set_verbosity_error()
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
        if (folder / HEAD_FILE).is_file():
            encoder = AutoModel.from_pretrained(str(folder))
            config = encoder.config
            model: torch.nn.Module = MeanPooledClassifier(encoder, config.num_labels)
            model.head.load_state_dict(load_file(str(folder / HEAD_FILE)))
        else:
            legacy = AutoModelForSequenceClassification.from_pretrained(str(folder))
            config, model = legacy.config, LegacyPooledClassifier(legacy)
        model.eval()
        labels = [config.id2label[i] for i in range(config.num_labels)]
        return cls(model, tokenizer, labels, max_length, head_fraction)

    def quantized(self) -> BertClassifier:
        """A copy whose encoder's Linear layers run in int8 (dynamic quantisation, CPU only).

        The classification layer stays fp32: the probe folds the embedding standardisation into
        its weights, whose range per-tensor int8 cannot hold.
        """
        import copy
        import warnings

        model = copy.deepcopy(self.model)
        with warnings.catch_warnings():  # torch marks its quantisation API as deprecated
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            if isinstance(model, MeanPooledClassifier):
                model.encoder = torch.ao.quantization.quantize_dynamic(
                    model.encoder, {torch.nn.Linear}, dtype=torch.qint8)
            else:
                model = torch.ao.quantization.quantize_dynamic(
                    model, {torch.nn.Linear}, dtype=torch.qint8)
        return BertClassifier(model, self.tokenizer, self.labels, self.max_length,
                              self.head_fraction)

    def save(self, folder: Path) -> None:
        if not isinstance(self.model, MeanPooledClassifier):
            raise TypeError("only mean-pooled models are saved; re-train legacy bundles")
        self.model.encoder.save_pretrained(str(folder), safe_serialization=True)
        head = {k: v.contiguous() for k, v in self.model.head.state_dict().items()}
        save_file(head, str(folder / HEAD_FILE))
        self.tokenizer.save_pretrained(str(folder))

    # -- encoding ---------------------------------------------------------------------------
    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """[CLS] + head/tail token ids + [SEP], at most `max_length` each."""
        tok = self.tokenizer
        first = tok.cls_token_id if tok.cls_token_id is not None else tok.bos_token_id
        last = tok.sep_token_id if tok.sep_token_id is not None else tok.eos_token_id
        specials = [i for i in (first, last) if i is not None]
        budget = self.max_length - len(specials)
        raw = tok(list(texts), add_special_tokens=False, truncation=False,
                  verbose=False)["input_ids"]
        head = [first] if first is not None else []
        tail = [last] if last is not None else []
        return [head + head_tail(ids, budget, self.head_fraction) + tail for ids in raw]

    def _collate(self, batch: Sequence[list[int]]) -> dict[str, torch.Tensor]:
        width = max(len(ids) for ids in batch)
        pad = self.tokenizer.pad_token_id or 0
        input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            mask[row, : len(ids)] = 1
        return {"input_ids": input_ids, "attention_mask": mask}

    # -- training and inference -------------------------------------------------------------
    def fine_tune(self, texts: Sequence[str], y: Sequence[int], config: FineTuneConfig,
                  progress: bool = True) -> list[float]:
        """Linear probe, then fine-tune all weights (AdamW, one-cycle).

        Classes are weighted inversely to their frequency, so a corpus that adds many documents
        of a few classes does not tilt the model towards them. Returns each epoch's mean loss.
        """
        if not isinstance(self.model, MeanPooledClassifier):
            raise TypeError("legacy [CLS] models cannot be fine-tuned; start from a base")
        rng = random.Random(config.seed)
        torch.manual_seed(config.seed)
        encoded = self.token_ids(texts)
        targets = np.asarray(y)
        weights = class_weights(targets, len(self.labels))
        self.fit_probe(encoded, targets, config, progress)
        steps_per_epoch = math.ceil(len(encoded) / config.batch_size)
        optimizer = torch.optim.AdamW(self.model.parameters(), lr=config.learning_rate,
                                      weight_decay=config.weight_decay)
        total_steps = steps_per_epoch * config.epochs
        # Warm up over 10% of the steps, but at least 2: torch's OneCycleLR divides by zero
        # when the warm-up phase is exactly one step long (e.g. 10 steps in all).
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=config.learning_rate, total_steps=total_steps,
            pct_start=min(0.3, max(0.1, 2 / total_steps)), anneal_strategy="linear",
        )
        loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))
        self.model.train()
        losses = []
        for epoch in range(config.epochs):
            order = list(range(len(encoded)))
            rng.shuffle(order)
            total = 0.0
            bar = tqdm(range(steps_per_epoch), desc=f"fine-tune epoch {epoch + 1}/{config.epochs}",
                       disable=not progress)
            for step in bar:
                idx = order[step * config.batch_size:(step + 1) * config.batch_size]
                batch = self._collate([encoded[i] for i in idx])
                loss = loss_fn(self.model(**batch), torch.from_numpy(targets[idx]))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
                total += loss.item()
                bar.set_postfix(loss=f"{total / (step + 1):.3f}")
            losses.append(total / steps_per_epoch)
        self.model.eval()
        return losses

    def fit_probe(self, encoded: Sequence[list[int]], y: np.ndarray, config: FineTuneConfig,
                  progress: bool = True) -> None:
        """Set the linear layer to a logistic regression fitted on the frozen embeddings."""
        self.set_probe(self._embeddings(encoded, progress), y, config)

    def set_probe(self, x: np.ndarray, y: np.ndarray, config: FineTuneConfig) -> None:
        """Set the linear layer to a logistic regression fitted on embeddings `x`."""
        from sklearn.linear_model import LogisticRegression

        mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
        probe = LogisticRegression(C=config.probe_c, max_iter=3000, class_weight="balanced",
                                   random_state=config.seed)
        probe.fit((x - mean) / std, y)
        coef = np.zeros((len(self.labels), x.shape[1]))
        intercept = np.full(len(self.labels), -10.0)  # a class absent from `y` stays unlikely
        rows, biases = rows_per_class(probe)
        coef[probe.classes_] = rows / std  # fold the standardisation into the layer
        intercept[probe.classes_] = biases - (rows / std) @ mean
        with torch.no_grad():
            self.model.head.weight.copy_(torch.from_numpy(coef))
            self.model.head.bias.copy_(torch.from_numpy(intercept))

    @torch.inference_mode()
    def logits(self, texts: Sequence[str], batch_size: int = 32,
               progress: bool = False) -> np.ndarray:
        """Raw logits, shape (len(texts), n_labels). Batches group similar lengths."""
        return self._forward(self.token_ids(texts), self.model, len(self.labels), batch_size,
                             "bert inference", progress)

    def embeddings(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Mean-pooled encoder vectors of `texts`, shape (len(texts), hidden size)."""
        return self._embeddings(self.token_ids(texts), progress)

    def _embeddings(self, encoded: Sequence[list[int]], progress: bool) -> np.ndarray:
        return self._forward(encoded, self.model.embed, self.model.head.in_features, 32,
                             "linear probe: embedding", progress)

    @torch.inference_mode()
    def _forward(self, encoded: Sequence[list[int]], fn, width: int, batch_size: int,
                 desc: str, progress: bool) -> np.ndarray:
        """`fn` over length-sorted batches of `encoded`, rows back in input order."""
        self.model.eval()
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        out = np.zeros((len(encoded), width), dtype=np.float64)
        for start in tqdm(range(0, len(order), batch_size), desc=desc, disable=not progress):
            idx = order[start:start + batch_size]
            out[idx] = fn(**self._collate([encoded[i] for i in idx])).double().numpy()
        return out


def class_weights(y: np.ndarray, n_labels: int) -> np.ndarray:
    """sklearn's "balanced" weights, n / (k * count), per label; 1.0 for labels absent from y."""
    from sklearn.utils.class_weight import compute_class_weight

    present = np.unique(y)
    weights = np.ones(n_labels)
    weights[present] = compute_class_weight("balanced", classes=present, y=y)
    return weights
