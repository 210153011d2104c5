#!/usr/bin/env python3
"""PyTorch peer for `npm run bench`: the product's CNNs — seed (conv32-conv64-pool-dense128) and
default (32C3-32C3-32C5S2-64C3-64C3-64C5S2-128C4 with batch norm, src/engine/model/architectures.ts) — same
batch and data, on the CPU with the given thread count, optionally with the same on-the-fly
augmentation (random rotation ±10°, zoom ±10%, shift ±10%, bilinear, zero fill). Prints one JSON
line with images/s for training and for prediction. Run with Debian's python3 (python3-torch)."""
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


def default_cnn():
    def conv(ci, co, k, stride=1, padding=0):
        return [nn.Conv2d(ci, co, k, stride=stride, padding=padding, bias=False), nn.BatchNorm2d(co), nn.ReLU()]
    return nn.Sequential(
        *conv(1, 32, 3), *conv(32, 32, 3), *conv(32, 32, 5, 2, 2), nn.Dropout(0.4),
        *conv(32, 64, 3), *conv(64, 64, 3), *conv(64, 64, 5, 2, 2), nn.Dropout(0.4),
        *conv(64, 128, 4), nn.Flatten(), nn.Dropout(0.4), nn.Linear(128, 10),
    )


def augment(xb, generator):
    """A random affine transform per image, as src/engine/data/augment.ts draws them."""
    n = xb.shape[0]
    angle = (torch.rand(n, generator=generator) * 2 - 1) * (10 * torch.pi / 180)
    scale = 1 + (torch.rand(n, generator=generator) * 2 - 1) * 0.1
    shift = (torch.rand(n, 2, generator=generator) * 2 - 1) * 0.1 * 2  # affine_grid's [-1, 1] spans the image
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, sin, shift[:, 0]], 1), torch.stack([-sin, cos, shift[:, 1]], 1)], 1)
    grid = nn.functional.affine_grid(theta, list(xb.shape), align_corners=False)
    return nn.functional.grid_sample(xb, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


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
    parser.add_argument("--arch", choices=["seed", "default"], default="seed")
    parser.add_argument("--augment", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    rows = args.batch_size * args.train_batches
    x, y = read_csv(args.train, rows, True)
    x = torch.from_numpy(x).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(y)
    model = seed_cnn() if args.arch == "seed" else default_cnn()
    generator = torch.Generator().manual_seed(1)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()

    def step(i):
        xb = x[i * args.batch_size:(i + 1) * args.batch_size]
        yb = y[i * args.batch_size:(i + 1) * args.batch_size]
        if args.augment:
            xb = augment(xb, generator)
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
        "arch": args.arch,
        "augment": args.augment,
        "threads": args.threads,
        "train_images_per_second": rows / train_seconds,
        "predict_images_per_second": len(tx) / predict_seconds,
        "predict_rows": len(tx),
    }))


if __name__ == "__main__":
    main()
