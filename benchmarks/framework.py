"""A synthetic "large framework" corpus: the shape that made losslint slow on diffusers.

Many model classes built from blocks chosen by string-dispatching factories, blocks
whose activation comes from a helper, deep chains of helper functions across modules,
pipelines with large ``__call__`` methods, a package ``__init__`` re-exporting every
class, and only a few training scripts with a loss (one of them with a finding)::

    python benchmarks/framework.py OUT --packages 40     # about 40 x 12 files

Deterministic for a given ``--seed``. ``benchmarks/run.py --framework N`` times it.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import List

HEADER = "import math\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

ACTIVATIONS = '''
ACT2CLS = {"swish": nn.SiLU, "silu": nn.SiLU, "mish": nn.Mish, "gelu": nn.GELU, "relu": nn.ReLU}


def get_activation(act_fn):
    act_fn = act_fn.lower()
    if act_fn in ("swish", "silu"):
        return nn.SiLU()
    elif act_fn == "mish":
        return nn.Mish()
    elif act_fn == "gelu":
        return nn.GELU()
    elif act_fn == "relu":
        return nn.ReLU()
    raise ValueError(f"Unsupported activation function: {act_fn}")
'''

HELPERS = '''

def step_{k}_{j}(x, config, depth=0):
    """Helper {k}.{j}: a link of a deep call chain."""
    scale = config.get("scale_{j}", {value})
    if config.get("mode") == "fast":
        y = x * scale
    elif config.get("mode") == "slow":
        y = x + scale
    else:
        y = x
    for i in range(config.get("repeats", 2)):
        y = y + i * 0.5
    extra = [step_name for step_name in config.get("names", []) if step_name.startswith("s")]
    if extra:
        y = y + len(extra)
    return {next_call}
'''

BLOCK = '''

class {name}(nn.Module):
    def __init__(self, in_channels, out_channels=None, temb_channels=512, groups=32, dropout=0.0,
                 act_fn="silu", output_scale_factor=1.0, use_attention={attention}, heads=8):
        super().__init__()
        out_channels = in_channels if out_channels is None else out_channels
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.output_scale_factor = output_scale_factor
        self.norm1 = nn.GroupNorm(num_groups=groups, num_channels=in_channels, eps=1e-6, affine=True)
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=1, padding=1)
        self.time_emb_proj = nn.Linear(temb_channels, out_channels) if temb_channels is not None else None
        self.norm2 = nn.GroupNorm(num_groups=groups, num_channels=out_channels, eps=1e-6, affine=True)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=1, padding=1)
        self.nonlinearity = get_activation(act_fn)
        self.attention = Attention{attn_index}(out_channels, heads=heads) if use_attention else None
        self.conv_shortcut = None
        if in_channels != out_channels:
            self.conv_shortcut = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=1, padding=0)

    def forward(self, input_tensor, temb=None, scale=1.0):
        hidden_states = input_tensor
        hidden_states = self.norm1(hidden_states)
        hidden_states = self.nonlinearity(hidden_states)
        hidden_states = self.conv1(hidden_states)
        if self.time_emb_proj is not None and temb is not None:
            temb = self.nonlinearity(temb)
            temb = self.time_emb_proj(temb)[:, :, None, None]
            hidden_states = hidden_states + temb
        hidden_states = self.norm2(hidden_states)
        hidden_states = self.nonlinearity(hidden_states)
        hidden_states = self.dropout(hidden_states)
        hidden_states = self.conv2(hidden_states)
        if self.attention is not None:
            hidden_states = self.attention(hidden_states)
        if self.conv_shortcut is not None:
            input_tensor = self.conv_shortcut(input_tensor)
        output_tensor = (input_tensor + hidden_states) / self.output_scale_factor
        return {helper}(output_tensor, {{"mode": "fast", "scale_0": scale}})
'''

ATTENTION = '''

class Attention{index}(nn.Module):
    def __init__(self, query_dim, heads=8, dim_head=64, dropout=0.0, bias=False, upcast_softmax=True):
        super().__init__()
        inner_dim = dim_head * heads
        self.heads = heads
        self.scale = dim_head ** -0.5
        self.upcast_softmax = upcast_softmax
        self.to_q = nn.Linear(query_dim, inner_dim, bias=bias)
        self.to_k = nn.Linear(query_dim, inner_dim, bias=bias)
        self.to_v = nn.Linear(query_dim, inner_dim, bias=bias)
        self.to_out = nn.ModuleList([nn.Linear(inner_dim, query_dim), nn.Dropout(dropout)])

    def head_to_batch_dim(self, tensor):
        batch_size, seq_len, dim = tensor.shape
        tensor = tensor.reshape(batch_size, seq_len, self.heads, dim // self.heads)
        return tensor.permute(0, 2, 1, 3).reshape(batch_size * self.heads, seq_len, dim // self.heads)

    def get_attention_scores(self, query, key, attention_mask=None):
        scores = torch.baddbmm(
            torch.empty(query.shape[0], query.shape[1], key.shape[1], dtype=query.dtype, device=query.device),
            query, key.transpose(-1, -2), beta=0, alpha=self.scale,
        )
        if attention_mask is not None:
            scores = scores + attention_mask
        if self.upcast_softmax:
            scores = scores.float()
        probs = scores.softmax(dim=-1)
        return probs.to(query.dtype)

    def forward(self, hidden_states, encoder_hidden_states=None, attention_mask=None):
        batch, channel, height, width = hidden_states.shape
        hidden_states = hidden_states.view(batch, channel, height * width).transpose(1, 2)
        context = hidden_states if encoder_hidden_states is None else encoder_hidden_states
        query = self.head_to_batch_dim(self.to_q(hidden_states))
        key = self.head_to_batch_dim(self.to_k(context))
        value = self.head_to_batch_dim(self.to_v(context))
        probs = self.get_attention_scores(query, key, attention_mask)
        hidden_states = torch.bmm(probs, value)
        for layer in self.to_out:
            hidden_states = layer(hidden_states)
        return hidden_states.transpose(-1, -2).reshape(batch, channel, height, width)
'''

FACTORY_CASE = '''    {keyword} block_type == "{name}":
        return {name}(in_channels=in_channels, out_channels=out_channels, temb_channels=temb_channels,
                      dropout=dropout, act_fn=act_fn, groups=groups)
'''

MODEL = '''

class {name}(nn.Module):
    """A UNet-like model of many blocks chosen by name."""

    def __init__(self, in_channels=4, out_channels=4, block_types={block_types}, widths={widths},
                 act_fn="silu", groups=32, temb_channels=512, dropout=0.0):
        super().__init__()
        self.conv_in = nn.Conv2d(in_channels, widths[0], kernel_size=3, padding=1)
        self.time_embedding = nn.Sequential(nn.Linear(32, temb_channels), get_activation(act_fn), nn.Linear(temb_channels, temb_channels))
        self.down_blocks = nn.ModuleList([])
        output_channel = widths[0]
        for i, block_type in enumerate(block_types):
            input_channel = output_channel
            output_channel = widths[min(i, len(widths) - 1)]
            block = get_block(block_type, input_channel, output_channel, temb_channels, dropout, act_fn, groups)
            self.down_blocks.append(block)
        self.mid_block = get_block(block_types[-1], output_channel, output_channel, temb_channels, dropout, act_fn, groups)
        self.up_blocks = nn.ModuleList([])
        for i, block_type in enumerate(reversed(block_types)):
            self.up_blocks.append(get_block(block_type, output_channel, output_channel, temb_channels, dropout, act_fn, groups))
        self.conv_norm_out = nn.GroupNorm(num_channels=output_channel, num_groups=groups, eps=1e-5)
        self.conv_act = get_activation(act_fn)
        self.conv_out = nn.Conv2d(output_channel, out_channels, kernel_size=3, padding=1)

    def time_proj(self, timesteps, dim=32):
        half = dim // 2
        exponent = -math.log(10000) * torch.arange(start=0, end=half, dtype=torch.float32) / half
        emb = timesteps[:, None].float() * torch.exp(exponent)[None, :]
        return torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)

    def forward(self, sample, timestep, return_dict=True):
        temb = self.time_embedding(self.time_proj(timestep))
        sample = self.conv_in(sample)
        residuals = (sample,)
        for block in self.down_blocks:
            sample = block(sample, temb)
            residuals += (sample,)
        sample = self.mid_block(sample, temb)
        for block in self.up_blocks:
            sample = block(sample + residuals[-1], temb)
            residuals = residuals[:-1]
        sample = self.conv_out(self.conv_act(self.conv_norm_out(sample)))
        sample = {helper}(sample, {{"mode": "slow"}})
        if not return_dict:
            return (sample,)
        return {{"sample": sample}}
'''

PIPELINE = '''

class {name}:
    """An inference pipeline: no loss, a large __call__."""

    def __init__(self, unet, scheduler_steps=50, guidance_scale=7.5):
        self.unet = unet
        self.scheduler_steps = scheduler_steps
        self.guidance_scale = guidance_scale
        self.config = {{"mode": "fast", "repeats": 3, "names": ["sample", "latent"]}}

    def prepare_latents(self, batch_size, channels, height, width, generator=None):
        shape = (batch_size, channels, height // 8, width // 8)
        latents = torch.randn(shape, generator=generator)
        return {helper}(latents, self.config)

    def check_inputs(self, prompt, height, width, callback_steps):
        if height % 8 != 0 or width % 8 != 0:
            raise ValueError(f"`height` and `width` have to be divisible by 8 but are {{height}} and {{width}}.")
        if callback_steps is not None and (not isinstance(callback_steps, int) or callback_steps <= 0):
            raise ValueError("`callback_steps` has to be a positive integer")
        if prompt is not None and not isinstance(prompt, (str, list)):
            raise ValueError(f"`prompt` has to be of type `str` or `list` but is {{type(prompt)}}")

    @torch.no_grad()
    def __call__(self, prompt=None, height=512, width=512, num_inference_steps=50, guidance_scale=7.5,
                 num_images_per_prompt=1, generator=None, output_type="pil", callback=None, callback_steps=1):
        self.check_inputs(prompt, height, width, callback_steps)
        batch_size = 1 if isinstance(prompt, str) else len(prompt)
        latents = self.prepare_latents(batch_size * num_images_per_prompt, 4, height, width, generator)
        timesteps = torch.linspace(999, 0, num_inference_steps).long()
        for i, t in enumerate(timesteps):
            latent_model_input = torch.cat([latents] * 2) if guidance_scale > 1.0 else latents
            out = self.unet(latent_model_input, t.expand(latent_model_input.shape[0]))
            noise_pred = out["sample"]
            if guidance_scale > 1.0:
                noise_pred_uncond, noise_pred_text = noise_pred.chunk(2)
                noise_pred = noise_pred_uncond + guidance_scale * (noise_pred_text - noise_pred_uncond)
            latents = latents - noise_pred / num_inference_steps
            if callback is not None and i % callback_steps == 0:
                callback(i, t, latents)
        image = (latents / 2 + 0.5).clamp(0, 1)
        if output_type == "pt":
            return image
        image = image.cpu().permute(0, 2, 3, 1).float().numpy()
        return {{"images": image, "nsfw": [False] * len(image)}}
'''

TRAIN = '''import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

from {package} import {model}


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--epochs", type=int, default=1)
    return parser.parse_args()


def main():
    args = parse_args()
    model = {model}(in_channels=4, out_channels=4)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.randn(8, 4, 32, 32)), batch_size=2)
    for epoch in range(args.epochs):
        for (latents,) in loader:
            noise = torch.randn_like(latents)
            timesteps = torch.randint(0, 1000, (latents.shape[0],)).long()
            noisy = latents + noise
            model_pred = model(noisy, timesteps)["sample"]
            loss = F.mse_loss(model_pred.float(), noise.float(), reduction="mean")
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()


if __name__ == "__main__":
    main()
'''

CLASSIFIER = '''import torch
import torch.nn as nn
import torch.nn.functional as F

from {package}.models.model_0 import {model}


class Classifier(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.backbone = {model}(in_channels=3, out_channels=8)
        self.head = nn.Linear(8, num_classes)

    def forward(self, x, t):
        features = self.backbone(x, t)["sample"].mean(dim=(2, 3))
        return F.softmax(self.head(features), dim=1)


def train(model, loader, epochs=2):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for epoch in range(epochs):
        for x, t, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x, t), y)
            loss.backward()
            optimizer.step()


if __name__ == "__main__":
    train(Classifier(), [])
'''


def generate_framework(root: Path, packages: int = 40, seed: int = 0, scripts: int = 4, chain: int = 6) -> List[Path]:
    """Write the corpus under ``root``; returns the training scripts."""
    rng = random.Random(seed)
    top = root / "synthfw"
    (top / "utils").mkdir(parents=True, exist_ok=True)
    (top / "utils" / "__init__.py").write_text("")
    (top / "utils" / "activations.py").write_text(HEADER + ACTIVATIONS)
    helper_modules = max(2, packages // 2)
    for k in range(helper_modules):  # chains: step_k_0 -> ... -> step_k_{chain-1} -> step_{k+1}_0 -> ...
        parts = [HEADER]
        if k + 1 < helper_modules:
            parts.append(f"from .helpers_{k + 1} import step_{k + 1}_0\n")
        for j in range(chain):
            if j + 1 < chain:
                next_call = f"step_{k}_{j + 1}(y, config, depth + 1)"
            elif k + 1 < helper_modules:
                next_call = f"step_{k + 1}_0(y, config, depth + 1)"
            else:
                next_call = "y"
            parts.append(HELPERS.format(k=k, j=j, value=rng.randint(1, 9), next_call=next_call))
        (top / "utils" / f"helpers_{k}.py").write_text("".join(parts))
    exports: List[str] = []
    for p in range(packages):
        package = top / "models" if p == 0 else top / f"family_{p}"
        package.mkdir(parents=True, exist_ok=True)
        relative = "..utils"
        blocks = [f"Block{p}x{b}" for b in range(rng.randint(6, 10))]
        helper = rng.randrange(helper_modules)
        blocks_text = [HEADER, f"from {relative}.activations import get_activation\n",
                       f"from {relative}.helpers_{helper} import step_{helper}_0\n"]  # fmt: skip
        blocks_text.append(ATTENTION.format(index=p))
        for b, name in enumerate(blocks):
            blocks_text.append(BLOCK.format(name=name, attention=rng.random() < 0.3, attn_index=p, helper=f"step_{helper}_0"))
        blocks_text.append("\n\ndef get_block(block_type, in_channels, out_channels, temb_channels, dropout, act_fn, groups):\n")
        for b, name in enumerate(blocks):
            blocks_text.append(FACTORY_CASE.format(keyword="if" if b == 0 else "elif", name=name))
        blocks_text.append('    raise ValueError(f"{block_type} does not exist.")\n')
        (package / "blocks.py").write_text("".join(blocks_text))
        (package / "__init__.py").write_text("")
        for m in range(rng.randint(3, 5)):
            name = f"UNet{p}x{m}"
            chosen = [rng.choice(blocks) for _ in range(rng.randint(3, 6))]
            widths = [rng.choice([32, 64, 128]) for _ in chosen]
            text = HEADER + f"from {relative}.activations import get_activation\nfrom {relative}.helpers_{helper} import step_{helper}_0\nfrom .blocks import get_block\n"
            text += MODEL.format(name=name, block_types=tuple(chosen), widths=tuple(widths), helper=f"step_{helper}_0")
            (package / f"model_{m}.py").write_text(text)
            exports.append((package.name, f"model_{m}", name))
            pipe = f"Pipeline{p}x{m}"
            (package / f"pipeline_{m}.py").write_text(
                HEADER + f"from {relative}.helpers_{helper} import step_{helper}_0\n" + PIPELINE.format(name=pipe, helper=f"step_{helper}_0")
            )
            exports.append((package.name, f"pipeline_{m}", pipe))
    init = [f"from .{package}.{module} import {name}\n" for package, module, name in exports]
    (top / "__init__.py").write_text("".join(init))
    examples = root / "examples"
    examples.mkdir(exist_ok=True)
    models = [name for _, module, name in exports if module.startswith("model")]
    written = []
    for s in range(scripts):
        path = examples / f"train_{s}.py"
        path.write_text(TRAIN.format(package="synthfw", model=models[(s * 7) % len(models)]))
        written.append(path)
    path = examples / "train_classifier.py"
    path.write_text(CLASSIFIER.format(package="synthfw", model="UNet0x0"))
    written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--packages", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    generate_framework(Path(args.out), args.packages, args.seed)


if __name__ == "__main__":
    main()
