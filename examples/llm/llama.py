"""A Llama-architecture decoder written for edgec's LLM example and bench:
RMSNorm, rotary position embeddings, a SwiGLU MLP, grouped-query attention
and an untied output head, with random weights drawn from a seed (no
download: the numbers are what matter, not the text).

Two forms of one model:
  - DecodeStep: one token in, the logits out, with a static KV cache
    [layers, 1, kv_heads, max_len, head_dim] passed in and returned, written
    at `pos` (index_put, ScatterND in ONNX) and masked beyond `pos`: the
    form static-cache exporters (ExecuTorch, optimum) produce;
  - the same weights as plain eager PyTorch, for the reference tokens.

  llama.py export --size tiny|small|base [--opset 17] [--max-len N] OUT.onnx
  llama.py generate --size tiny --prompt 1,2,3 --tokens 64   (eager greedy decode)

Sizes: tiny ~1M parameters (an MCU), small ~25M and base ~110M (host,
Cortex-A). Needs /usr/bin/python3 with torch.
"""
import argparse
import math
import sys

import torch
import torch.nn as nn

# name -> (dim, layers, heads, kv_heads, mlp hidden, vocab, max_len)
SIZES = {
    "tiny": dict(dim=128, layers=4, heads=4, kv_heads=2, hidden=352, vocab=512, max_len=128),
    "small": dict(dim=512, layers=8, heads=8, kv_heads=4, hidden=1408, vocab=2048, max_len=256),
    "base": dict(dim=768, layers=12, heads=12, kv_heads=4, hidden=2304, vocab=16384, max_len=512),
}


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotary_tables(head_dim, max_len, theta=10000.0):
    """cos and sin [max_len, head_dim/2] of Llama's rotary embedding."""
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2).float() / head_dim))
    angles = torch.outer(torch.arange(max_len).float(), inv)
    return angles.cos(), angles.sin()


def rotate(x, cos, sin):
    """x [..., head_dim] rotated pairwise as Llama's reference code does
    (interleaved pairs (x0, x1), (x2, x3), ...), cos/sin broadcast [..., head_dim/2]."""
    x = x.reshape(*x.shape[:-1], -1, 2)
    x0, x1 = x[..., 0], x[..., 1]
    return torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), -1).flatten(-2)


class Attention(nn.Module):
    def __init__(self, dim, heads, kv_heads):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, dim // heads
        self.wq = nn.Linear(dim, heads * self.head_dim, bias=False)
        self.wk = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.wv = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.wo = nn.Linear(heads * self.head_dim, dim, bias=False)

    def repeat_kv(self, x):
        """[b, kv_heads, len, head_dim] -> [b, heads, len, head_dim] as
        Hugging Face's Llama writes it (an Expand and a Reshape; PyTorch 1.13
        exports repeat_interleave with a double-typed MatMul ONNX Runtime refuses)."""
        b, h, n, d = x.shape
        rep = self.heads // self.kv_heads
        return x[:, :, None].expand(b, h, rep, n, d).reshape(b, h * rep, n, d)

    def forward(self, x, cos, sin, k_cache, v_cache, pos, mask):
        """x [1, 1, dim]; k_cache/v_cache [1, kv_heads, max_len, head_dim] of
        this layer; pos [1] int64; mask [1, 1, 1, max_len] (0 or -inf).
        Returns the output and this layer's updated caches."""
        b, t, _ = x.shape
        q = self.wq(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.wk(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.wv(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        # cache[:, :, pos] = k as a new tensor (torch.fx cannot trace an assignment)
        k_cache, v_cache = k_cache.index_copy(2, pos, k), v_cache.index_copy(2, pos, v)
        keys, values = self.repeat_kv(k_cache), self.repeat_kv(v_cache)
        att = (q @ keys.transpose(2, 3)) / math.sqrt(self.head_dim) + mask
        y = att.softmax(-1) @ values
        return self.wo(y.transpose(1, 2).reshape(b, t, -1)), k_cache, v_cache


class Block(nn.Module):
    def __init__(self, dim, heads, kv_heads, hidden):
        super().__init__()
        self.attention_norm, self.ffn_norm = RMSNorm(dim), RMSNorm(dim)
        self.attention = Attention(dim, heads, kv_heads)
        self.w1 = nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, dim, bias=False)
        self.w3 = nn.Linear(dim, hidden, bias=False)

    def forward(self, x, cos, sin, k_cache, v_cache, pos, mask):
        a, k_cache, v_cache = self.attention(self.attention_norm(x), cos, sin, k_cache, v_cache, pos, mask)
        x = x + a
        h = self.ffn_norm(x)
        return x + self.w2(nn.functional.silu(self.w1(h)) * self.w3(h)), k_cache, v_cache


class DecodeStep(nn.Module):
    """token [1, 1] int64, pos [1] int64, k_cache and v_cache [layers, 1,
    kv_heads, max_len, head_dim] -> logits [1, 1, vocab], the caches with
    this token's keys and values written at pos."""

    def __init__(self, dim, layers, heads, kv_heads, hidden, vocab, max_len, seed=0):
        super().__init__()
        torch.manual_seed(seed)
        self.max_len, self.head_dim = max_len, dim // heads
        self.tok_embeddings = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList(Block(dim, heads, kv_heads, hidden) for _ in range(layers))
        self.norm = RMSNorm(dim)
        self.output = nn.Linear(dim, vocab, bias=False)
        # Llama's initialisation scale: unit-variance embeddings, small linears,
        # so that random logits are neither flat nor saturated.
        for name, p in self.named_parameters():
            if p.dim() == 2 and "tok_embeddings" not in name:
                nn.init.normal_(p, std=0.02)
        cos, sin = rotary_tables(self.head_dim, max_len)
        self.register_buffer("cos", cos)
        self.register_buffer("sin", sin)

    def forward(self, token, pos, k_cache, v_cache):
        x = self.tok_embeddings(token)
        cos, sin = self.cos[pos].view(1, 1, 1, -1), self.sin[pos].view(1, 1, 1, -1)
        mask = torch.zeros(self.max_len).masked_fill(torch.arange(self.max_len) > pos, float("-inf")).view(1, 1, 1, -1)
        ks, vs = [], []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, cos, sin, k_cache[i], v_cache[i], pos, mask)
            ks.append(k)
            vs.append(v)
        return self.output(self.norm(x)), torch.stack(ks), torch.stack(vs)

    def empty_cache(self):
        layer = self.layers[0].attention
        shape = (len(self.layers), 1, layer.kv_heads, self.max_len, self.head_dim)
        return torch.zeros(shape), torch.zeros(shape)


def build(size, max_len=None, seed=0):
    cfg = dict(SIZES[size])
    if max_len:
        cfg["max_len"] = max_len
    return DecodeStep(**cfg, seed=seed).eval()


def greedy(model, prompt, tokens):
    """Eager greedy decoding, one token per step through the same DecodeStep:
    returns the generated token ids and the logits of each step."""
    k, v = model.empty_cache()
    out, logits = [], []
    seq = list(prompt)
    with torch.no_grad():
        for pos in range(len(prompt) + tokens - 1):
            step, k, v = model(torch.tensor([[seq[pos]]]), torch.tensor([pos]), k, v)
            if pos >= len(prompt) - 1:
                logits.append(step[0, 0])
                nxt = int(step[0, 0].argmax())
                out.append(nxt)
                seq.append(nxt)
    return out, logits


def export(model, path, opset):
    k, v = model.empty_cache()
    args = (torch.tensor([[1]]), torch.tensor([0]), k, v)
    torch.onnx.export(model, args, path, opset_version=opset,
                      input_names=["token", "pos", "k_cache", "v_cache"],
                      output_names=["logits", "k_cache_out", "v_cache_out"])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("out")
    g = sub.add_parser("generate")
    g.add_argument("--prompt", default="1,2,3")
    g.add_argument("--tokens", type=int, default=16)
    for s in (e, g):
        s.add_argument("--size", choices=sorted(SIZES), default="tiny")
        s.add_argument("--max-len", type=int, default=None)
        s.add_argument("--seed", type=int, default=0)
    e.add_argument("--opset", type=int, default=17)
    args = p.parse_args()
    model = build(args.size, args.max_len, args.seed)
    if args.cmd == "export":
        export(model, args.out, args.opset)
        n = sum(p.numel() for p in model.parameters())
        print(f"{args.out}: {args.size}, {n / 1e6:.2f}M parameters, opset {args.opset}", file=sys.stderr)
    else:
        toks, _ = greedy(model, [int(t) for t in args.prompt.split(",")], args.tokens)
        print(",".join(map(str, toks)))


if __name__ == "__main__":
    main()
