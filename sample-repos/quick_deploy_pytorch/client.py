#!/usr/bin/env python3
"""The Quick Deploy client for the digits classifier (tritonclient over HTTP).

Sends the sample images (samples.npy, FP32 [10, 1, 8, 8]) as one batch to
"digits" with binary data and class_count=3, and prints the three best
classes of each ("probability:index:label", Triton's classification
extension, labels from digits/labels.txt) next to the digit it should be.
With --bls it sends each sample's PNG file (sample_<i>.png) to "digits_bls"
instead, which reads the image and calls "digits" itself.

  pip install tritonclient[http] numpy
  python3 client.py [--url localhost:8000] [--bls]
"""
import argparse
import json
import os

import numpy as np
import tritonclient.http as httpclient

HERE = os.path.dirname(os.path.abspath(__file__))


def load_samples():
    with open(os.path.join(HERE, "samples.json")) as f:
        return json.load(f)["samples"]


def classify(client):
    """One batched request to "digits": the 3 best classes of every sample."""
    batch = np.load(os.path.join(HERE, "samples.npy")).astype(np.float32)
    inputs = httpclient.InferInput("INPUT__0", batch.shape, datatype="FP32")
    inputs.set_data_from_numpy(batch, binary_data=True)
    outputs = httpclient.InferRequestedOutput("OUTPUT__0", binary_data=True, class_count=3)
    results = client.infer(model_name="digits", inputs=[inputs], outputs=[outputs])
    # [batch, 3] BYTES: b"0.998:7:7" (probability:index:label), best first.
    return [[c.decode() for c in row] for row in results.as_numpy("OUTPUT__0")]


def classify_png(client, sample):
    """One request to "digits_bls" with the sample's PNG file: (digit, score)."""
    with open(os.path.join(HERE, sample["png"]), "rb") as f:
        image = np.frombuffer(f.read(), dtype=np.uint8)
    inputs = httpclient.InferInput("IMAGE", image.shape, datatype="UINT8")
    inputs.set_data_from_numpy(image, binary_data=True)
    results = client.infer(model_name="digits_bls", inputs=[inputs])
    return int(results.as_numpy("DIGIT")[0]), float(results.as_numpy("SCORE")[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="localhost:8000")
    parser.add_argument("--bls", action="store_true", help="send the PNG files to digits_bls")
    args = parser.parse_args()
    client = httpclient.InferenceServerClient(url=args.url)
    samples = load_samples()
    correct = 0
    if args.bls:
        for s in samples:
            digit, score = classify_png(client, s)
            correct += digit == s["digit"]
            print(f"{s['png']}: {digit} ({score:.4f})  expected {s['digit']}")
    else:
        for s, top3 in zip(samples, classify(client)):
            correct += int(top3[0].split(":")[2]) == s["digit"]
            print(f"sample {s['index']}: {top3}  expected {s['digit']}")
    print(f"{correct}/{len(samples)} correct")


if __name__ == "__main__":
    main()
