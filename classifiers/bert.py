"""Fine-tuning and batched inference of a BERT-family sequence classifier on CPU."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm
from transformers import AutoModelForSequenceClassification, AutoTokenizer
from transformers.utils import logging as transformers_logging

from classifiers.text_windows import head_tail


@dataclass(frozen=True)
class FineTuneConfig:
    epochs: int = 4
    batch_size: int = 16
    learning_rate: float = 8e-5
    weight_decay: float = 0.01
    seed: int = 13


class BertClassifier:
    """A tokenizer + sequence-classification model; long texts are cut to head + tail."""

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
        transformers_logging.set_verbosity_error()  # the "new head is missing" report is expected
        tokenizer = AutoTokenizer.from_pretrained(str(base_path))
        model = AutoModelForSequenceClassification.from_pretrained(
            str(base_path), num_labels=len(labels),
            id2label=dict(enumerate(labels)), label2id={name: i for i, name in enumerate(labels)},
        )
        return cls(model, tokenizer, labels, max_length, head_fraction)

    @classmethod
    def load(cls, folder: Path, max_length: int, head_fraction: float) -> BertClassifier:
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
        model = AutoModelForSequenceClassification.from_pretrained(str(folder))
        model.eval()
        labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
        return cls(model, tokenizer, labels, max_length, head_fraction)

    def quantized(self) -> BertClassifier:
        """A copy whose Linear layers run in int8 (dynamic quantisation; CPU inference only)."""
        import copy
        import warnings

        with warnings.catch_warnings():  # torch marks its quantised tensors as deprecated
            warnings.simplefilter("ignore", UserWarning)
            model = torch.ao.quantization.quantize_dynamic(
                copy.deepcopy(self.model), {torch.nn.Linear}, dtype=torch.qint8)
        return BertClassifier(model, self.tokenizer, self.labels, self.max_length,
                              self.head_fraction)

    def save(self, folder: Path) -> None:
        self.model.save_pretrained(str(folder), safe_serialization=True)
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
        """Fine-tune all weights (AdamW, one-cycle); returns the mean loss of each epoch."""
        rng = random.Random(config.seed)
        torch.manual_seed(config.seed)
        encoded = self.token_ids(texts)
        targets = list(y)
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
                labels = torch.tensor([targets[i] for i in idx])
                loss = self.model(**batch, labels=labels).loss
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

    @torch.inference_mode()
    def logits(self, texts: Sequence[str], batch_size: int = 32,
               progress: bool = False) -> np.ndarray:
        """Raw logits, shape (len(texts), n_labels). Batches group similar lengths."""
        self.model.eval()
        encoded = self.token_ids(texts)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        out = np.zeros((len(encoded), len(self.labels)), dtype=np.float64)
        starts = range(0, len(order), batch_size)
        for start in tqdm(starts, desc="bert inference", disable=not progress):
            idx = order[start:start + batch_size]
            batch = self._collate([encoded[i] for i in idx])
            out[idx] = self.model(**batch).logits.double().numpy()
        return out
