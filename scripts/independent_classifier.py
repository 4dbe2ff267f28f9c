"""An independent check of Fashion-MNIST samples: a PyTorch classifier that shares nothing with
fdistill's (other framework, architecture, training data split and features).

It trains a small CNN (two conv blocks with batch norm, 128 features, 468k parameters) on
58,000 of the 60,000 training images for a few epochs (cached after the first run), then scores
each `.npz` given (`samples` uint8 [N, 28, 28, 1], `labels` int64 [N], the format `fdistill
sample` and `fdistill eval` use) against the 10,000 test images:

- label accuracy: how often the classifier recognizes the requested class;
- FID in the classifier's 128 penultimate features (the test set as reference);
- the real-data floor: the same FID and accuracy for the 2,000 held-out training images (never
  seen by the classifier), or the first N of them when the samples are fewer.

With `--json FILE` the rows are also written as JSON. Files named `<divergence>-seed<k>.npz`, or
in a folder of that name (a comparison's runs) are also summarized per divergence: mean ± std and Welch t against reverse-KL. The training is seeded; its weights are
cached per epochs and seed, so every later score on this machine uses the same network.

Usage (Debian's python3-torch, python3-scipy; dataset-fashion-mnist):
    /usr/bin/python3 scripts/independent_classifier.py teacher.npz student.npz
"""

import argparse
import gzip
import json
import os
import re
import time

import numpy as np
import torch
from scipy import linalg, stats
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist"
HELD_OUT = 2000


def read_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as file:
        data = file.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def to_input(levels):
    """uint8 [N, 28, 28] or [N, 28, 28, 1] -> float [N, 1, 28, 28] in [-1, 1]."""
    levels = np.asarray(levels).reshape(-1, 28, 28)
    return torch.from_numpy(levels.astype(np.float32) / 127.5 - 1).unsqueeze(1)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        block = lambda inputs, outputs: nn.Sequential(  # noqa: E731
            nn.Conv2d(inputs, outputs, 3, padding=1),
            nn.BatchNorm2d(outputs),
            nn.ReLU(),
            nn.Conv2d(outputs, outputs, 3, padding=1),
            nn.BatchNorm2d(outputs),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.body = nn.Sequential(block(1, 32), block(32, 64), nn.Flatten())
        self.features = nn.Sequential(nn.Linear(64 * 7 * 7, 128), nn.ReLU())
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        features = self.features(self.body(x))
        return self.head(features), features


def train(images, labels, epochs, seed):
    torch.manual_seed(seed)
    np.random.seed(seed)
    model = Classifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=2e-3, total_steps=epochs * ((len(images) + 127) // 128)
    )
    inputs, targets = to_input(images), torch.from_numpy(labels.astype(np.int64))
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(inputs))
        for start in range(0, len(inputs), 128):
            index = order[start : start + 128]
            batch = inputs[index]
            # Random horizontal flips and 2-pixel shifts.
            flip = torch.rand(len(batch)) < 0.5
            batch[flip] = batch[flip].flip(-1)
            dx, dy = np.random.randint(-2, 3, size=2)
            batch = torch.roll(batch, shifts=(int(dy), int(dx)), dims=(2, 3))
            loss = nn.functional.cross_entropy(model(batch)[0], targets[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        print(f"epoch {epoch + 1}/{epochs}: last batch loss {loss.item():.3f}", flush=True)
    model.eval()
    return model


@torch.no_grad()
def measure(model, levels):
    logits, features = [], []
    for start in range(0, len(levels), 500):
        out, feature = model(to_input(levels[start : start + 500]))
        logits.append(out)
        features.append(feature)
    return torch.cat(logits).argmax(1).numpy(), torch.cat(features).double().numpy()


def frechet(a, b):
    mean_a, mean_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root, _ = linalg.sqrtm(cov_a @ cov_b, disp=False)
    return float(((mean_a - mean_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root.real))


def summarize_divergences(rows):
    """For samples named <divergence>-seed<k>.npz, or in a run folder <divergence>-seed<k>/ (a
    comparison's runs): mean, std and Welch t."""
    groups = {}
    for row in rows:
        match = re.fullmatch(r"(.+)-seed(\d+)\.npz", os.path.basename(row["samples"])) or re.fullmatch(
            r"(.+)-seed(\d+)", os.path.basename(os.path.dirname(os.path.abspath(row["samples"])))
        )
        if match:
            groups.setdefault(match.group(1), []).append(row)
    if len(groups) < 2:
        return
    print("\n| divergence | seeds | FID (independent) | label accuracy | Welch t of FID against reverse-kl |")
    print("|---|---|---|---|---|")
    reference = [row["fid"] for row in groups.get("reverse-kl", [])]
    for name, group in groups.items():
        fids = [row["fid"] for row in group]
        accuracies = [row["labelAccuracy"] for row in group]
        t = ""
        if name != "reverse-kl" and len(reference) > 1 and len(fids) > 1:
            t = f"{stats.ttest_ind(fids, reference, equal_var=False).statistic:.2f}"
        print(
            f"| {name} | {len(group)} | {np.mean(fids):.2f} ± {np.std(fids, ddof=1) if len(fids) > 1 else 0:.2f} | "
            f"{np.mean(accuracies):.3f} ± {np.std(accuracies, ddof=1) if len(accuracies) > 1 else 0:.3f} | {t} |"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("samples", nargs="+", help=".npz files with samples and labels")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument(
        "--weights",
        default=os.path.join(os.path.expanduser("~/.cache/fdistill"), "independent-classifier.pt"),
    )
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)

    train_images = read_idx("train-images-idx3-ubyte.gz")
    train_labels = read_idx("train-labels-idx1-ubyte.gz")
    test_images = read_idx("t10k-images-idx3-ubyte.gz")
    test_labels = read_idx("t10k-labels-idx1-ubyte.gz")
    # The last 2,000 training images are held out from the classifier: the real-data floor.
    fit_images, held_images = train_images[:-HELD_OUT], train_images[-HELD_OUT:]
    fit_labels, held_labels = train_labels[:-HELD_OUT], train_labels[-HELD_OUT:]

    key = f"{arguments.weights}.epochs{arguments.epochs}.seed{arguments.seed}"
    model = Classifier()
    if os.path.exists(key):
        model.load_state_dict(torch.load(key))
        model.eval()
    else:
        started = time.time()
        model = train(fit_images, fit_labels, arguments.epochs, arguments.seed)
        os.makedirs(os.path.dirname(key), exist_ok=True)
        torch.save(model.state_dict(), key + ".tmp")
        os.replace(key + ".tmp", key)
        print(f"trained in {time.time() - started:.0f} s; weights in {key}")

    test_predicted, test_features = measure(model, test_images)
    print(f"classifier test accuracy: {(test_predicted == test_labels).mean():.4f}")
    print("| samples | N | FID (independent features) | floor at N | label accuracy | floor |")
    print("|---|---|---|---|---|---|")
    held_predicted, held_features = measure(model, held_images)
    rows = []
    for path in arguments.samples:
        archive = np.load(path)
        samples, labels = archive["samples"], archive["labels"]
        count = len(samples)
        predicted, features = measure(model, samples)
        floor_count = min(count, HELD_OUT)
        floor = frechet(held_features[:floor_count], test_features)
        floor_accuracy = (held_predicted[:floor_count] == held_labels[:floor_count]).mean()
        row = {
            "samples": path,
            "count": count,
            "fid": frechet(features, test_features),
            "floorFid": floor,
            "labelAccuracy": float((predicted == labels).mean()),
            "floorLabelAccuracy": float(floor_accuracy),
        }
        rows.append(row)
        print(
            f"| {path} | {count} | {row['fid']:.2f} | {floor:.2f} | "
            f"{row['labelAccuracy']:.3f} | {floor_accuracy:.3f} |"
        )
    summarize_divergences(rows)
    if arguments.json:
        with open(arguments.json, "w") as file:
            json.dump({"testAccuracy": float((test_predicted == test_labels).mean()), "rows": rows}, file, indent=2)
            file.write("\n")


if __name__ == "__main__":
    main()
