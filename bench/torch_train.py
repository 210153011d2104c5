#!/usr/bin/env python3
"""The PyTorch peer of a whole training run, for `npm run bench`: what
`digit-recognizer train <file> --arch seed|default --epochs N [--no-augment]` does, in one
process — read the CSV, hold out a stratified 10% for validation, train with Adam at batch 128
(shuffled each epoch), report validation accuracy and save the model. bench/run.ts times the
whole process of each, start to exit. Run with Debian's python3 (python3-torch)."""
import argparse
import json
import os
import time

import numpy as np
import torch
from torch import nn

from torch_peer import augment, default_cnn, seed_cnn


def main():
    started = time.perf_counter()
    parser = argparse.ArgumentParser()
    parser.add_argument("train")
    parser.add_argument("--arch", choices=["seed", "default"], default="seed")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--no-augment", action="store_true")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    rng = np.random.default_rng(42)

    data = np.loadtxt(args.train, delimiter=",", skiprows=1, dtype=np.uint8)
    labels = data[:, 0].astype(np.int64)
    images = torch.from_numpy(data[:, 1:].astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    validation = np.concatenate([rng.permutation(np.flatnonzero(labels == d))[: round(0.1 * np.sum(labels == d))] for d in range(10)])
    train = np.setdiff1d(np.arange(len(labels)), validation)

    model = seed_cnn() if args.arch == "seed" else default_cnn()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(42)
    for _ in range(args.epochs):
        model.train()
        order = torch.from_numpy(rng.permutation(train))
        for i in range(0, len(order), 128):
            batch = order[i:i + 128]
            xb = images[batch]
            if not args.no_augment:
                xb = augment(xb, generator)
            optimiser.zero_grad()
            loss = loss_fn(model(xb), torch.from_numpy(labels[batch.numpy()]))
            loss.backward()
            optimiser.step()
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(images[validation[i:i + 1000]]).argmax(1) for i in range(0, len(validation), 1000)])
    accuracy = float((predicted.numpy() == labels[validation]).mean())
    torch.save(model.state_dict(), args.out)
    print(json.dumps({"validation_accuracy": accuracy, "seconds_in_process": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
