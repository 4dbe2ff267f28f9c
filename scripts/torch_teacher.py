"""A PyTorch twin of `fdistill teacher train --preset fashion-mnist`, to tell the recipe from its
implementation: the same class-conditional EDM U-Net (the bench's PyTorch mirror of UNetDenoiser,
bench/torch_bench.py), data, loss, optimizer, schedule, EMA, guidance and sampler. What differs:
the random streams, the initial weights (PyTorch's default initializations), and the stride-2
downsampling's padding (PyTorch's one zero on each side against tfjs's 'same', one zero after:
the same 16x16 output, read one pixel over). It trains, then draws samples the way `fdistill
eval --teacher` does (Heun, 18 steps = 35 network evaluations, guidance on, labels i mod 10) and
writes them as the `.npz` that `fdistill eval --samples` and scripts/independent_classifier.py
read (`samples` uint8 [N, 28, 28, 1], `labels` int64 [N]).

Usage (Debian: apt-get install python3-torch; the data: apt-get install dataset-fashion-mnist):
    /usr/bin/python3 scripts/torch_teacher.py --out torch-teacher            # 8,000 steps of 64
    pnpm fdistill eval --samples torch-teacher/samples-2000.npz
    /usr/bin/python3 scripts/independent_classifier.py torch-teacher/samples-2000.npz
It prints the mean loss every 500 steps and writes `ema.pt` (the EMA network's state) and
`samples-2000.npz` into --out; with --samples-only it draws from an `ema.pt` already there, with
--teacher FILE.safetensors from a teacher the project trained (loaded into the twin), and with
--noise FILE from given noise (raw float32 [N, 32, 32, 1], e.g. the project's `samplerNoise`).
"""

import argparse
import json
import math
import pathlib
import sys
import time

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "bench"))
from torch_bench import SIGMA_DATA, SIGMA_MAX, SIGMA_MIN, RHO, UNet, per_sample  # noqa: E402

from independent_classifier import read_idx  # noqa: E402  (this folder's: Debian's IDX files)
# The shipped teacher's network (packages/cli/teachers/fashion-mnist/README.md).
NETWORK = {
    "imageSize": 32,
    "channels": 1,
    "baseChannels": 16,
    "channelMultipliers": [1, 2, 2],
    "blocksPerResolution": 1,
    "attentionResolutions": [],
    "groupNormGroups": 4,
    "embeddingSize": 32,
    "classCount": 10,
}
NULL_LABEL = NETWORK["classCount"]


def training_images():
    """The 60,000 training images in [-1, 1], centred on a -1 background at 32x32, NCHW."""
    levels = read_idx("train-images-idx3-ubyte.gz").astype(np.float32)
    images = np.full((len(levels), 1, 32, 32), -1, np.float32)
    images[:, 0, 2:30, 2:30] = levels / 127.5 - 1
    return torch.from_numpy(images), torch.from_numpy(read_idx("train-labels-idx1-ubyte.gz").astype(np.int64))


def read_safetensors(path):
    """The tensors of a safetensors file (float32) and its metadata."""
    data = pathlib.Path(path).read_bytes()
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + size])
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        values = np.frombuffer(data, np.float32, count=(end - start) // 4, offset=8 + size + start)
        tensors[name] = torch.from_numpy(values.reshape(entry["shape"]).copy())
    return tensors, metadata


def torch_name(name):
    """The twin's parameter name for one of UNetDenoiser's (its decoder counts levels downward)."""
    parts = name.split(".")
    if parts[0] == "encoder":
        level, kind = parts[1], parts[2]
        # A downsample is the level's first layer, padded as tfjs pads it (see tfjs_downsampling).
        return f"encoder.{level}.0.1.{parts[-1]}" if kind == "downsample" else f"encoder.{level}.{1 + int(parts[3])}.{'.'.join(parts[4:])}"
    if parts[0] == "decoder":
        level = len(NETWORK["channelMultipliers"]) - 1 - int(parts[1])
        return f"decoder.{level}.up.{parts[-1]}" if parts[2] == "upsample" else f"decoder.{level}.{'.'.join(parts[2:])}"
    renamed = {"classEmbedding": "classes", "mapLayer0": "map0", "mapLayer1": "map1", "inputConv": "input_conv", "outputNorm": "output_norm", "outputConv": "output_conv"}
    return ".".join([renamed.get(parts[0], parts[0]), *parts[1:]])


def tfjs_downsampling(network):
    """Pads each stride-2 convolution as tfjs's 'same' does on an even size (one zero after)."""
    for layers in list(network.encoder)[1:]:
        convolution = layers[0]
        convolution.padding = (0, 0)
        layers[0] = torch.nn.Sequential(torch.nn.ZeroPad2d((0, 1, 0, 1)), convolution)
    return network


def load_project_teacher(path):
    """A teacher written by `fdistill teacher train` (UNetDenoiser safetensors) in the twin."""
    tensors, metadata = read_safetensors(path)
    config = json.loads(metadata["config"])
    for field in NETWORK:
        if config.get(field) != NETWORK[field]:
            raise SystemExit(f"--teacher {path}: {field} is {config.get(field)}, the twin has {NETWORK[field]}")
    network = tfjs_downsampling(UNet(NETWORK))
    state = {}
    for name, value in tensors.items():
        if value.dim() == 4:  # conv [kh, kw, in, out] -> [out, in, kh, kw]
            value = value.permute(3, 2, 0, 1)
        elif value.dim() == 2 and not name.startswith("classEmbedding"):  # dense [in, out] -> [out, in]
            value = value.t()
        state[torch_name(name)] = value.contiguous()
    network.load_state_dict(state)
    return network


def learning_rate(step, peak, warmup, steps):
    """Linear warm-up over `warmup` steps, then cosine decay to 0 at `steps` (the preset's)."""
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (steps - warmup)))


def train(arguments, out):
    torch.manual_seed(arguments.seed)
    images, labels = training_images()
    network, ema = UNet(NETWORK), UNet(NETWORK)
    ema.load_state_dict(network.state_dict())
    ema.requires_grad_(False)
    optimizer = torch.optim.AdamW(network.parameters(), lr=arguments.learning_rate, betas=(0.9, 0.999), weight_decay=0.01)
    started, losses = time.time(), []
    for step in range(arguments.steps):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, arguments.learning_rate, 100, arguments.steps)
        rows = torch.randint(0, len(images), (arguments.batch,))
        x0, label = images[rows], labels[rows]
        label = torch.where(torch.rand(arguments.batch) < 0.1, torch.full_like(label, NULL_LABEL), label)
        sigma = (torch.randn(arguments.batch) * 1.2 - 1.2).exp()
        noised = x0 + per_sample(sigma, 4) * torch.randn_like(x0)
        weight = (sigma**2 + SIGMA_DATA**2) / (sigma * SIGMA_DATA) ** 2
        loss = (per_sample(weight, 4) * (network.denoise(noised, sigma, labels=label) - x0) ** 2).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for average, value in zip(ema.parameters(), network.parameters()):
                average.mul_(0.999).add_(value, alpha=0.001)
        losses.append(loss.item())
        if (step + 1) % 500 == 0:
            print(f"step {step + 1}/{arguments.steps}: loss {np.mean(losses[-500:]):.4f}, {time.time() - started:.0f} s", flush=True)
    torch.save(ema.state_dict(), out / "ema.pt")
    return ema, float(np.mean(losses[-500:]))


@torch.no_grad()
def sample(network, count, guidance, seed, noise=None):
    """Heun on 18 Karras steps (35 evaluations) from sigma_max, guided, labels i mod 10, as 8-bit
    levels; from `noise` [count, 1, 32, 32] when given, else from a draw of `seed`."""
    generator = torch.Generator().manual_seed(seed)
    ramp = torch.linspace(0, 1, 18)
    high, low = SIGMA_MAX ** (1 / RHO), SIGMA_MIN ** (1 / RHO)
    sigmas = torch.cat([(high + ramp * (low - high)) ** RHO, torch.zeros(1)])
    labels = torch.arange(count) % 10
    chunks = []
    for start in range(0, count, 200):
        label = labels[start : start + 200]
        size = len(label)

        def denoise(x, sigma):
            both = network.denoise(torch.cat([x, x]), sigma.expand(2 * size), labels=torch.cat([label, torch.full_like(label, NULL_LABEL)]))
            conditional, unconditional = both.chunk(2)
            return conditional + (guidance - 1) * (conditional - unconditional)

        z = torch.randn(size, 1, 32, 32, generator=generator) if noise is None else noise[start : start + size]
        x = z * SIGMA_MAX
        for i in range(18):
            now, after = sigmas[i], sigmas[i + 1]
            slope = (x - denoise(x, now)) / now
            y = x + (after - now) * slope
            if after > 0:
                y = x + (after - now) * (slope + (y - denoise(y, after)) / after) / 2
            x = y
        chunks.append(x[:, 0, 2:30, 2:30])
    levels = (torch.cat(chunks) * 127.5 + 128).floor().clamp(0, 255).to(torch.uint8)
    return levels.numpy()[..., None], labels.numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="folder for ema.pt, samples-2000.npz and summary.json")
    parser.add_argument("--steps", type=int, default=8000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--guidance", type=float, default=1.5)
    parser.add_argument("--samples-only", action="store_true", help="draw from the ema.pt in --out")
    parser.add_argument("--teacher", help="draw from this project teacher (.safetensors) instead of training")
    parser.add_argument("--noise", help="start from this noise: raw float32 [samples, 32, 32, 1] (e.g. the project's samplerNoise draw)")
    arguments = parser.parse_args()
    if arguments.steps < 101 or arguments.batch < 1 or arguments.samples < 1:
        parser.error("--steps must be > 100 (the warm-up), --batch and --samples >= 1")
    torch.set_num_threads(arguments.threads)
    out = pathlib.Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    if arguments.teacher:
        network, final_loss = load_project_teacher(arguments.teacher), None
    elif arguments.samples_only:
        network = UNet(NETWORK)
        network.load_state_dict(torch.load(out / "ema.pt"))
        final_loss = None
    else:
        network, final_loss = train(arguments, out)
    trained = time.time()
    noise = None
    if arguments.noise:
        values = np.fromfile(arguments.noise, np.float32)
        if values.size != arguments.samples * 32 * 32:
            raise SystemExit(f"--noise {arguments.noise}: {values.size} values, expected {arguments.samples} x 32 x 32 x 1")
        noise = torch.from_numpy(values.reshape(arguments.samples, 32, 32, 1)).permute(0, 3, 1, 2).contiguous()
    samples, labels = sample(network, arguments.samples, arguments.guidance, arguments.seed + 5, noise)
    np.savez(out / f"samples-{arguments.samples}.npz", samples=samples, labels=labels)
    summary = {
        "steps": arguments.steps,
        "batch": arguments.batch,
        "learningRate": arguments.learning_rate,
        "seed": arguments.seed,
        "threads": arguments.threads,
        "finalLoss": final_loss,
        "trainSeconds": None if final_loss is None else trained - started,
        "teacher": arguments.teacher,
        "noise": arguments.noise,
        "sampleSeconds": time.time() - trained,
        "guidance": arguments.guidance,
        "parameters": sum(p.numel() for p in network.parameters()),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
