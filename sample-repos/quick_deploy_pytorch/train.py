#!/usr/bin/env python3
"""Trains the digits classifier of this sample and writes everything it ships.

The data set is scikit-learn's 8x8 handwritten digits (`load_digits`: 1,797
images, 10 classes, pixel values 0..16), which ships inside the package, so
this runs offline (Debian/Ubuntu: `sudo apt-get install python3-torch
python3-sklearn`). A fixed seed and one thread make a run repeatable.

Writes, next to this file:
  digits/1/model.pt         the TorchScript model (Triton's PyTorch backend)
  digits/labels.txt         one label per class, for `class_count`
  samples.npy               ten held-out test images, FP32 [10, 1, 8, 8], values 0..16
  sample_<i>.png            the same images as 32x32 grayscale PNGs
  samples.json              the true digit of every sample (and the model's answer)

Usage: python3 train.py [--epochs N]
"""
import argparse
import json
import os
import struct
import zlib

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0
# One sample per digit, picked from the held-out rows (the first of each class).
SAMPLES_PER_CLASS = 1


class DigitsNet(torch.nn.Module):
    """A small CNN: [B, 1, 8, 8] pixel values 0..16 in, 10 class probabilities out."""

    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.Conv2d(16, 32, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
        )
        self.classifier = torch.nn.Sequential(
            torch.nn.Flatten(),
            torch.nn.Linear(32 * 4 * 4, 64),
            torch.nn.ReLU(),
            torch.nn.Linear(64, 10),
        )

    def forward(self, x):
        # Pixels arrive as the data set has them (0..16); the network sees 0..1.
        logits = self.classifier(self.features(x / 16.0))
        return torch.softmax(logits, dim=1)


def load():
    digits = load_digits()
    x = digits.images.astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    return train_test_split(x, y, test_size=0.2, random_state=SEED, stratify=y)


def train(model, x, y, epochs):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.NLLLoss()
    gen = torch.Generator().manual_seed(SEED)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(xt), generator=gen)
        total = 0.0
        for i in range(0, len(xt), 32):
            idx = order[i : i + 32]
            opt.zero_grad()
            loss = loss_fn(torch.log(model(xt[idx]) + 1e-9), yt[idx])
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        print(f"epoch {epoch + 1:2d}: loss {total / len(xt):.4f}")


def png_bytes(gray):
    """A grayscale 8-bit PNG (no filter), written with the standard library only."""
    h, w = gray.shape
    raw = b"".join(b"\x00" + gray[r].tobytes() for r in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def write_samples(model, x_test, y_test):
    """Held-out test images, one per digit, as files beside the models (Triton reads only folders as models)."""
    picked = [int(np.flatnonzero(y_test == d)[k]) for d in range(10) for k in range(SAMPLES_PER_CLASS)]
    with torch.no_grad():
        predicted = model(torch.from_numpy(x_test[picked])).argmax(1).tolist()
    np.save(os.path.join(HERE, "samples.npy"), x_test[picked])
    expected = []
    for i, row in enumerate(picked):
        png = f"sample_{i}.png"
        # 0..16 -> 0..255 (light strokes on black, as the data set has them), each pixel a 4x4 block.
        gray = np.rint(x_test[row, 0] * 255.0 / 16.0).astype(np.uint8).repeat(4, 0).repeat(4, 1)
        with open(os.path.join(HERE, png), "wb") as f:
            f.write(png_bytes(gray))
        expected.append({"index": i, "png": png, "test_row": row, "digit": int(y_test[row]), "predicted": predicted[i]})
    with open(os.path.join(HERE, "samples.json"), "w") as f:
        json.dump({"npy": "samples.npy", "samples": expected}, f, indent=2)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=15)
    args = parser.parse_args()
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    x_train, x_test, y_train, y_test = load()
    model = DigitsNet()
    train(model, x_train, y_train, args.epochs)
    model.eval()
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()
    print(f"test accuracy: {accuracy:.4f} on {len(y_test)} held-out images")
    scripted = torch.jit.script(model)
    scripted.save(os.path.join(HERE, "digits", "1", "model.pt"))
    with open(os.path.join(HERE, "digits", "labels.txt"), "w") as f:
        f.write("".join(f"{d}\n" for d in range(10)))
    write_samples(model, x_test, y_test)
    print(f"torch {torch.__version__}: wrote digits/1/model.pt, digits/labels.txt, samples.npy, sample_*.png and samples.json")


if __name__ == "__main__":
    main()
