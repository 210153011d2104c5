#!/usr/bin/env python3
"""PyTorch peer for `npm run bench`: the seed CNN (conv32-conv64-pool-dense128), same batch and
data, on the CPU with the given thread count. Prints one JSON line with images/s for training
and for prediction. Run with Debian's python3 (python3-torch)."""
import argparse
import json
import time

import numpy as np
import torch
from torch import nn


def seed_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(),
        nn.Conv2d(32, 64, 3), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
        nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 10),
    )


def read_csv(path, rows, labelled):
    data = np.loadtxt(path, delimiter=",", skiprows=1, max_rows=rows, dtype=np.float32)
    if labelled:
        return data[:, 1:] / 255.0, data[:, 0].astype(np.int64)
    return data / 255.0, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--train-batches", type=int, default=60)
    parser.add_argument("--predict-rows", type=int, default=28000)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    rows = args.batch_size * args.train_batches
    x, y = read_csv(args.train, rows, True)
    x = torch.from_numpy(x).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(y)
    model = seed_cnn()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()

    def step(i):
        xb = x[i * args.batch_size:(i + 1) * args.batch_size]
        yb = y[i * args.batch_size:(i + 1) * args.batch_size]
        optimiser.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimiser.step()

    for i in range(5):  # warm-up
        step(i)
    started = time.perf_counter()
    for i in range(args.train_batches):
        step(i)
    train_seconds = time.perf_counter() - started

    tx, _ = read_csv(args.test, args.predict_rows, False)
    tx = torch.from_numpy(tx).reshape(-1, 1, 28, 28)
    model.eval()
    started = time.perf_counter()
    with torch.no_grad():
        for i in range(0, len(tx), 1000):
            model(tx[i:i + 1000]).argmax(1)
    predict_seconds = time.perf_counter() - started

    print(json.dumps({
        "torch": torch.__version__,
        "threads": args.threads,
        "train_images_per_second": rows / train_seconds,
        "predict_images_per_second": len(tx) / predict_seconds,
        "predict_rows": len(tx),
    }))


if __name__ == "__main__":
    main()
