"""PyTorch CPU side of `pnpm bench`: the same work as bench/run-case.ts, timed the same way.

Usage: python3 bench/torch_bench.py '<case JSON>'  (bench/run-bench.ts builds the JSON)
Prints one JSON object on the last line of stdout: medians in milliseconds and the peak RSS.
Needs PyTorch (Debian: apt-get install python3-torch). It mirrors the math and the network
sizes of the TypeScript side (EDM preconditioning, MLP and U-Net denoisers, discriminators,
f-distill's two step kinds, AdamW, EMA), not its random streams.
"""

import json
import math
import resource
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

SIGMA_DATA = 0.5
SIGMA_MIN, SIGMA_MAX, RHO = 0.002, 80.0, 7.0


# --- EDM pieces -------------------------------------------------------------------------------


def karras_grid(count=1000):
    ramp = torch.linspace(0, 1, count)
    low, high = SIGMA_MIN ** (1 / RHO), SIGMA_MAX ** (1 / RHO)
    return (high + ramp * (low - high)) ** RHO


GRID = karras_grid()


def training_sigmas(batch):
    return GRID[torch.randint(2, 999, (batch,))]


def per_sample(values, rank):
    return values.reshape([-1] + [1] * (rank - 1))


def edm(sigma):
    variance = sigma**2 + SIGMA_DATA**2
    root = variance.sqrt()
    return SIGMA_DATA**2 / variance, sigma * SIGMA_DATA / root, 1 / root, sigma.log() / 4


def positional(values, size):
    half = size // 2
    frequencies = (1 / 10000) ** (torch.arange(half, dtype=torch.float32) / half)
    angles = values[:, None] * frequencies[None]
    return torch.cat([angles.cos(), angles.sin()], 1)


class EdmNetwork(nn.Module):
    def denoise(self, x, sigma, with_features=False, labels=None):
        skip, out, scale, noise = edm(sigma)
        scaled = x * per_sample(scale, x.dim())
        raw, features = self.raw(scaled, noise) if labels is None else self.raw(scaled, noise, labels)
        denoised = x * per_sample(skip, x.dim()) + raw * per_sample(out, x.dim())
        return (denoised, features) if with_features else denoised

    def features(self, x, sigma):
        """The feature taps alone (a U-Net stops after its encoder), as EdmNetwork.features."""
        _, _, scale, noise = edm(sigma)
        return self.raw_features(x * per_sample(scale, x.dim()), noise)

    def raw_features(self, x, noise):
        return self.raw(x, noise)[1]


# --- 2-D networks -----------------------------------------------------------------------------


class MlpDenoiser(EdmNetwork):
    def __init__(self, dim, width, depth, embedding=32):
        super().__init__()
        self.register_buffer("frequencies", torch.randn(embedding // 2) * 16 * 2 * math.pi)
        self.noise0, self.noise1 = nn.Linear(embedding, width), nn.Linear(width, width)
        self.inp = nn.Linear(dim, width)
        self.hidden = nn.ModuleList(nn.Linear(width, width) for _ in range(depth - 1))
        self.out = nn.Linear(width, dim)

    def raw(self, x, noise):
        angles = noise[:, None] * self.frequencies[None]
        embedding = torch.cat([angles.cos(), angles.sin()], 1)
        condition = F.silu(self.noise1(F.silu(self.noise0(embedding))))
        h = F.silu(self.inp(x) + condition)
        for layer in self.hidden:
            h = F.silu(layer(h) + condition)
        return self.out(h), {}


class MlpDiscriminator(nn.Module):
    def __init__(self, dim, width, depth, embedding=16):
        super().__init__()
        self.embedding = embedding
        sizes = [dim + embedding] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.out = nn.Linear(width, 1)

    def logits(self, x, sigma):
        _, _, scale, noise = edm(sigma)
        h = torch.cat([x * scale[:, None], positional(noise, self.embedding)], 1)
        for layer in self.hidden:
            h = F.silu(layer(h))
        return self.out(h).reshape(-1)

    def head_logits(self, x, sigma):
        return self.logits(x, sigma)[None]  # one head: [1, batch]


class Ring8:
    """The exact mixture teacher of the ring8 preset: 8 modes on the unit circle, std 0.05."""

    def __init__(self):
        angles = torch.arange(8) * 2 * math.pi / 8
        self.means = torch.stack([angles.cos(), angles.sin()], 1)
        weights = torch.tensor([4.0, 1, 1, 1, 1, 1, 1, 1])
        self.log_weights = (weights / weights.sum()).log()
        self.std = 0.05

    def denoise(self, x, sigma):
        variance = (self.std**2 + sigma**2)[:, None]
        distances = ((x[:, None, :] - self.means[None]) ** 2).sum(-1)
        log_p = self.log_weights[None] - distances / (2 * variance) - variance.log()
        responsibility = log_p.softmax(1)
        posterior = self.means[None] + (self.std**2 / variance)[:, :, None] * (
            x[:, None, :] - self.means[None]
        )
        return (responsibility[:, :, None] * posterior).sum(1)

    def sample(self, count):
        component = torch.multinomial(self.log_weights.exp(), count, replacement=True)
        return self.means[component] + self.std * torch.randn(count, 2)


# --- image networks (EDM U-Net, discriminator heads on teacher taps) ---------------------------


def conv(cin, cout, kernel, stride=1, padding=None):
    return nn.Conv2d(cin, cout, kernel, stride, kernel // 2 if padding is None else padding)


class SelfAttention(nn.Module):
    def __init__(self, channels, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels)
        self.qkv, self.projection = nn.Linear(channels, 3 * channels), nn.Linear(channels, channels)

    def forward(self, x):
        b, c, h, w = x.shape
        positions = self.norm(x).reshape(b, c, h * w).transpose(1, 2)
        q, k, v = self.qkv(positions).chunk(3, 2)
        attended = ((q @ k.transpose(1, 2)) / math.sqrt(c)).softmax(-1) @ v
        projected = self.projection(attended).transpose(1, 2).reshape(b, c, h, w)
        return (x + projected) * math.sqrt(0.5)


class ResidualBlock(nn.Module):
    def __init__(self, cin, cout, embedding, groups, attention):
        super().__init__()
        self.norm0, self.conv0 = nn.GroupNorm(groups, cin), conv(cin, cout, 3)
        self.affine = nn.Linear(embedding, cout)
        self.norm1, self.conv1 = nn.GroupNorm(groups, cout), conv(cout, cout, 3)
        self.skip = conv(cin, cout, 1) if cin != cout else None
        self.attention = SelfAttention(cout, groups) if attention else None

    def forward(self, x, embedding):
        h = self.conv0(F.silu(self.norm0(x))) + self.affine(embedding)[:, :, None, None]
        h = self.conv1(F.silu(self.norm1(h)))
        out = (h + (x if self.skip is None else self.skip(x))) * math.sqrt(0.5)
        return out if self.attention is None else self.attention(out)


class UNet(EdmNetwork):
    def __init__(self, c):
        super().__init__()
        base, groups, emb = c["baseChannels"], c["groupNormGroups"], c["embeddingSize"]
        channels = [base * m for m in c["channelMultipliers"]]
        resolutions = [c["imageSize"] // 2**i for i in range(len(channels))]
        attention = set(c["attentionResolutions"])
        self.base = base
        # A class-conditional network (scripts/torch_teacher.py) adds a learned vector per label,
        # the null label classCount included, to the noise sinusoids, as UNetDenoiser does.
        classes = c.get("classCount")
        self.classes = None if classes is None else nn.Embedding(classes + 1, base)
        self.map0, self.map1 = nn.Linear(base, emb), nn.Linear(emb, emb)
        self.input_conv = conv(c["channels"], base, 3)
        self.encoder, self.taps, current = nn.ModuleList(), [], base
        for level, (out, resolution) in enumerate(zip(channels, resolutions)):
            layers = nn.ModuleList([conv(current, current, 3, 2) if level > 0 else nn.Identity()])
            for _ in range(c["blocksPerResolution"]):
                layers.append(ResidualBlock(current, out, emb, groups, resolution in attention))
                current = out
            self.encoder.append(layers)
            self.taps.append(f"encoder.{resolution}")
        lowest = resolutions[-1]
        self.middle = nn.ModuleList(
            [
                ResidualBlock(current, current, emb, groups, lowest in attention),
                ResidualBlock(current, current, emb, groups, False),
            ]
        )
        self.decoder = nn.ModuleList()
        for level in reversed(range(len(channels))):
            out, resolution = channels[level], resolutions[level]
            blocks = nn.ModuleList()
            for _ in range(c["blocksPerResolution"]):
                blocks.append(ResidualBlock(current + out, out, emb, groups, resolution in attention))
                current = out
            upsample = conv(current, current, 3) if level > 0 else None
            self.decoder.append(nn.ModuleDict({"blocks": blocks, **({"up": upsample} if upsample else {})}))
        self.output_norm, self.output_conv = nn.GroupNorm(groups, base), conv(base, c["channels"], 3)

    def encode(self, x, noise, labels=None):
        sinusoids = positional(noise, self.base)
        if self.classes is not None:
            sinusoids = sinusoids + self.classes(labels)
        embedding = F.silu(self.map1(F.silu(self.map0(sinusoids))))
        h, skips, features = self.input_conv(x), [], {}
        for name, layers in zip(self.taps, self.encoder):
            h = layers[0](h)
            for block in layers[1:]:
                h = block(h, embedding)
                skips.append(h)
            features[name] = h
        return embedding, h, skips, features

    def raw_features(self, x, noise):
        return self.encode(x, noise)[3]

    def raw(self, x, noise, labels=None):
        embedding, h, skips, features = self.encode(x, noise, labels)
        for block in self.middle:
            h = block(h, embedding)
        for level in self.decoder:
            for block in level["blocks"]:
                h = block(torch.cat([h, skips.pop()], 1), embedding)
            if "up" in level:
                h = level["up"](F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.output_conv(F.silu(self.output_norm(h))), features


def head_groups(channels):
    groups = max(1, channels // 4) if channels <= 32 else 32
    while channels % groups:
        groups -= 1
    return groups


class DiscriminatorHead(nn.Module):
    def __init__(self, resolution, channels):
        super().__init__()
        groups, stages = head_groups(channels), []
        while resolution > 8:
            stages.append((2, 1))
            resolution //= 2
        stages += [(2, 1), (4, 0)]
        self.stages = nn.ModuleList(
            nn.Sequential(conv(channels, channels, 4, s, p), nn.GroupNorm(groups, channels), nn.SiLU())
            for s, p in stages
        )
        self.out = conv(channels, 1, 1, 1, 0)

    def forward(self, feature):
        for stage in self.stages:
            feature = stage(feature)
        return self.out(feature).reshape(-1)


class TeacherFeatureDiscriminator(nn.Module):
    """Conv heads on the frozen teacher's encoder taps; the logit is the mean over heads."""

    def __init__(self, teacher, taps):
        super().__init__()
        self.teacher = [teacher]  # not a submodule: frozen, its parameters are not the heads'
        self.names = [name for name, _, _ in taps]
        self.heads = nn.ModuleList(DiscriminatorHead(r, ch) for _, r, ch in taps)

    def head_logits(self, x, sigma):
        return self.logits_of_features(self.teacher[0].features(x, sigma))

    def logits_of_features(self, features):
        return torch.stack([head(features[name]) for name, head in zip(self.names, self.heads)])

    def logits(self, x, sigma):
        return self.head_logits(x, sigma).mean(0)


# --- f-distill (Distiller.step) ---------------------------------------------------------------


def f_distill_loss(generated, teacher_x0, fake_x0, weights):
    axes = list(range(1, generated.dim()))
    normalizer = (generated.detach() - teacher_x0).abs().mean(axes, keepdim=True) + 1e-6
    direction = per_sample(weights, generated.dim()) / normalizer * (fake_x0 - teacher_x0)
    target = (generated - direction).detach()
    return 0.5 * ((generated - target) ** 2).mean()


class Distiller:
    def __init__(self, teacher, student, fake, discriminator, ema, data, shape, c):
        self.teacher, self.student, self.fake, self.discriminator, self.ema = (
            teacher,
            student,
            fake,
            discriminator,
            ema,
        )
        self.data, self.shape, self.c = data, shape, c
        adamw = lambda module: torch.optim.AdamW(  # noqa: E731
            module.parameters(), lr=c["learningRate"], betas=(0.9, 0.999), weight_decay=0.01
        )
        self.optimizers = [adamw(student), adamw(fake), adamw(discriminator)]

    def inputs(self):
        batch = self.c["batchSize"]
        latent = torch.randn(batch, *self.shape)
        return latent, training_sigmas(batch), torch.randn(batch, *self.shape)

    def generate(self, latent):
        return self.student.denoise(latent * SIGMA_MAX, torch.full((latent.shape[0],), SIGMA_MAX))

    def generator_step(self):
        latent, sigma, noise = self.inputs()
        spread = per_sample(sigma, latent.dim())
        self.discriminator.requires_grad_(False)
        with torch.no_grad():
            noised = self.generate(latent) + spread * noise
            if getattr(self.discriminator, "teacher", [None])[0] is self.teacher:
                # One teacher pass for its x0 and the heads' taps, as the Distiller does.
                teacher_x0, features = self.teacher.denoise(noised, sigma, with_features=True)
                logits = self.discriminator.logits_of_features(features).mean(0)
            else:
                teacher_x0 = self.teacher.denoise(noised, sigma)
                logits = self.discriminator.logits(noised, sigma)
            fake_x0 = self.fake.denoise(noised, sigma)
            ratio = logits.clamp(-10, 10).exp().clamp(0.1, 20)
            ratio = ratio / ratio.mean()  # stands in for the per-sigma-bin normalization
            weight = ratio / (ratio + 1)  # Jensen-Shannon h(r)
            normalized = weight / weight.mean()
        generated = self.generate(latent)
        logits = self.discriminator.logits(generated + spread * noise, sigma)
        f_distill = f_distill_loss(generated, teacher_x0, fake_x0, normalized)
        gan = F.softplus(-logits).mean()
        loss = f_distill * 1 + gan * self.c["ganWeight"]
        optimizer = self.optimizers[0]
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = nn.utils.clip_grad_norm_(self.student.parameters(), 10)
        optimizer.step()
        self.discriminator.requires_grad_(True)
        with torch.no_grad():
            decay = self.c["emaDecay"]
            for average, value in zip(self.ema.parameters(), self.student.parameters()):
                average.mul_(decay).add_(value, alpha=1 - decay)
            torch.stack([loss, f_distill, gan, norm, ratio.mean(), weight.mean()]).tolist()

    def regression_step(self):
        """One update of the warm start: G(z) regressed onto given sampler outputs by MSE."""
        latent, _, target = self.inputs()
        loss = ((self.generate(latent) - target.clamp(-1, 1)) ** 2).mean()
        self.optimizers[0].zero_grad(set_to_none=True)
        loss.backward()
        self.optimizers[0].step()
        loss.item()

    def critic_step(self):
        latent, sigma, noise = self.inputs()
        with torch.no_grad():
            generated = self.generate(latent)
            noised = generated + per_sample(sigma, latent.dim()) * noise
        fake_loss = ((self.fake.denoise(noised, sigma) - generated) ** 2).mean()
        self.optimizers[1].zero_grad(set_to_none=True)
        fake_loss.backward()
        self.optimizers[1].step()
        real = self.data(self.c["batchSize"])
        real_sigma = training_sigmas(real.shape[0])
        noised_real = real + per_sample(real_sigma, real.dim()) * torch.randn_like(real)
        fake_logits = self.discriminator.logits(noised, sigma)
        real_heads = self.discriminator.head_logits(noised_real, real_sigma)
        loss = F.softplus(fake_logits).mean() + F.softplus(-real_heads.mean(0)).mean()
        penalty = torch.zeros(())
        if self.c["r1Gamma"] > 0:  # FastGen's approximate R1, sharing the real logits as ours does
            perturbed = noised_real + 0.1 * torch.randn_like(noised_real)
            penalty = (
                (real_heads - self.discriminator.head_logits(perturbed, real_sigma)) ** 2
            ).mean()
            loss = loss + self.c["r1Gamma"] * penalty
        self.optimizers[2].zero_grad(set_to_none=True)
        loss.backward()
        self.optimizers[2].step()
        torch.stack([fake_loss.detach(), loss.detach(), penalty.detach()]).tolist()


def mixture_distiller(c):
    teacher = Ring8()
    student = MlpDenoiser(2, c["networkWidth"], c["networkDepth"])
    ema, fake = MlpDenoiser(2, c["networkWidth"], c["networkDepth"]), MlpDenoiser(
        2, c["networkWidth"], c["networkDepth"]
    )
    ema.load_state_dict(student.state_dict())
    discriminator = MlpDiscriminator(2, c["discriminatorWidth"], c["discriminatorDepth"])
    return Distiller(teacher, student, fake, discriminator, ema, teacher.sample, (2,), c)


def image_distiller(c):
    teacher = UNet(c)
    teacher.requires_grad_(False)
    networks = [UNet(c) for _ in range(3)]
    for network in networks:
        network.load_state_dict(teacher.state_dict())
    student, ema, fake = networks
    channels = [c["baseChannels"] * m for m in c["channelMultipliers"]]
    taps = [
        (f"encoder.{c['imageSize'] // 2**i}", c["imageSize"] // 2**i, ch)
        for i, ch in enumerate(channels)
        if c["imageSize"] // 2**i in c["headResolutions"]
    ]
    discriminator = TeacherFeatureDiscriminator(teacher, taps)
    images = torch.rand(256, c["channels"], c["imageSize"], c["imageSize"]) * 2 - 1
    data = lambda count: images[torch.randint(0, 256, (count,))]  # noqa: E731
    shape = (c["channels"], c["imageSize"], c["imageSize"])
    return Distiller(teacher, student, fake, discriminator, ema, data, shape, c)


# --- timing -----------------------------------------------------------------------------------


def median_ms(run, warmup, iterations):
    for _ in range(warmup):
        run()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


def distill_case(spec):
    c = spec["config"]
    distiller = mixture_distiller(c) if spec["kind"] == "distill-2d" else image_distiller(c)
    warmup, iterations = spec["warmup"], spec["iterations"]
    generator = median_ms(distiller.generator_step, warmup, iterations)
    critic = median_ms(distiller.critic_step, warmup, iterations)
    if spec["kind"] == "distill-2d":
        return {"generatorMs": generator, "criticMs": critic}
    regression = median_ms(distiller.regression_step, warmup, iterations)
    return {"generatorMs": generator, "criticMs": critic, "regressionMs": regression}


def teacher_case(spec):
    """One EDM denoising score-matching step of a U-Net with AdamW and an EMA copy."""
    c = spec["config"]
    network, ema = UNet(c), UNet(c)
    ema.load_state_dict(network.state_dict())
    ema.requires_grad_(False)
    optimizer = torch.optim.AdamW(
        network.parameters(), lr=c["learningRate"], betas=(0.9, 0.999), weight_decay=0.01
    )
    images = torch.rand(256, c["channels"], c["imageSize"], c["imageSize"]) * 2 - 1
    batch = c["batchSize"]

    def step():
        x0 = images[torch.randint(0, 256, (batch,))]
        sigma = (torch.randn(batch) * 1.2 - 1.2).exp()
        noised = x0 + per_sample(sigma, x0.dim()) * torch.randn_like(x0)
        weight = (sigma**2 + SIGMA_DATA**2) / (sigma * SIGMA_DATA) ** 2
        loss = (per_sample(weight, x0.dim()) * (network.denoise(noised, sigma) - x0) ** 2).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            decay = c["emaDecay"]
            for average, value in zip(ema.parameters(), network.parameters()):
                average.mul_(decay).add_(value, alpha=1 - decay)
        loss.item()

    return {"stepMs": median_ms(step, spec["warmup"], spec["iterations"])}


def convolution_case(spec):
    s = spec["shape"]
    batch, size, cin, cout, kernel, stride, padding = (
        s["batch"],
        s["size"],
        s["inChannels"],
        s["outChannels"],
        s["kernel"],
        s["stride"],
        s["padding"],
    )
    x = torch.randn(batch, cin, size, size)
    weight = torch.randn(cout, cin, kernel, kernel)
    y = F.conv2d(x, weight, None, stride, padding)
    dy = torch.randn_like(y)
    backward = lambda mask: torch.ops.aten.convolution_backward(  # noqa: E731
        dy, x, weight, None, [stride] * 2, [padding] * 2, [1, 1], False, [0, 0], 1, mask
    )
    warmup, iterations = spec["warmup"], spec["iterations"]
    return {
        "forwardMs": median_ms(lambda: F.conv2d(x, weight, None, stride, padding), warmup, iterations),
        "inputGradientMs": median_ms(lambda: backward([True, False, False]), warmup, iterations),
        "filterGradientMs": median_ms(lambda: backward([False, True, False]), warmup, iterations),
    }


def sampler_case(spec):
    """The teacher's Heun sampler (18 steps, 35 evaluations) on a chunk of noise, per image."""
    c, size, steps = spec["config"], spec["chunk"], 18
    network = UNet(c)
    network.requires_grad_(False)
    ramp = torch.linspace(0, 1, steps)
    high, low = SIGMA_MAX ** (1 / RHO), SIGMA_MIN ** (1 / RHO)
    sigmas = torch.cat([(high + ramp * (low - high)) ** RHO, torch.zeros(1)])

    def solve():
        with torch.no_grad():
            x = torch.randn(size, c["channels"], c["imageSize"], c["imageSize"]) * SIGMA_MAX
            for i in range(steps):
                now, after = sigmas[i], sigmas[i + 1]
                slope = (x - network.denoise(x, now.expand(size))) / now
                y = x + (after - now) * slope
                if after > 0:
                    corrected = (y - network.denoise(y, after.expand(size))) / after
                    y = x + (after - now) * (slope + corrected) / 2
                x = y

    return {"sampleMs": median_ms(solve, spec["warmup"], spec["iterations"]) / size}


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    if spec["kind"].startswith("distill"):
        result = distill_case(spec)
    elif spec["kind"] == "teacher-image":
        result = teacher_case(spec)
    elif spec["kind"] == "sampler-image":
        result = sampler_case(spec)
    else:
        result = convolution_case(spec)
    result["peakRssMb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["torch"] = torch.__version__
    result["threads"] = torch.get_num_threads()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
