"""Trains the in-browser intent model: `cargo xtask train` (or `python3 training/train.py`).

Reproducible: fixed seed, single-threaded BLAS. Features come from the Rust featuriser through the native
CLI (`assistant features`), so training and inference agree byte for byte. Writes
public/model/intent-model.{onnx,json}, training/parity.json and evaluation CSVs in training/out/, then
prints accuracy from Python; `cargo xtask train` then re-checks with the Rust CLI on the same files.

Distillation: when training/teacher/soft_labels.json exists (made by training/teacher.py, which needs the
teacher package; this script does not), English rows with a cached teacher label are trained on
α·KL(teacher, T) + (1 − α)·CE; all other rows on their hard labels. The "did you mean" margin
(`thresholds.margin`) is chosen on dev beside the answer threshold."""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse, csv, datetime, hashlib, json, subprocess, sys, time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from scipy import sparse

import data, export

ROOT = data.ROOT
OUT = ROOT / "training/out"
MODEL_DIR = ROOT / "public/model"


def cli(command):
    """The native CLI: `$ASSISTANT_CLI` when set (a built `assistant` binary, as the tests pass it), else
    a release build through cargo."""
    binary = os.environ.get("ASSISTANT_CLI")
    base = [binary] if binary else ["cargo", "run", "-q", "--release", "-p", "assistant-cli", "--"]
    return base + [command]


def featuriser_info():
    cmd = cli("featuriser")
    return json.loads(subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout)


def featurise(texts, rows):
    cmd = cli("features")
    stdin = "\n".join(json.dumps(t, ensure_ascii=False) for t in texts) + "\n"
    out = subprocess.run(cmd, cwd=ROOT, input=stdin, check=True, capture_output=True, text=True).stdout
    indptr, ids, vals = [0], [], []
    for line in out.splitlines():
        f = json.loads(line)
        ids += f["ids"]
        vals += f["weights"]
        indptr.append(len(ids))
    assert len(indptr) - 1 == len(texts), "featuriser returned a different number of rows"
    return sparse.csr_matrix((np.array(vals, np.float32), np.array(ids), np.array(indptr)), shape=(len(texts), rows))


def tfidf(X, idf):
    """Features · idf, rows L2-normalised again: what the graph does first when it carries an IDF vector."""
    X = X @ sparse.diags(idf)
    n = np.sqrt(np.asarray(X.multiply(X).sum(1))).ravel()
    return (sparse.diags(1 / np.maximum(n, 1e-12)) @ X).tocsr()


def forward(params, X):
    """The exported graph's arithmetic in numpy (quantised table), returning logits. `params` is
    (q, scale, b1, w2, b2) or (q, scale, b1, w2, b2, idf_q) for a graph that applies TF-IDF itself."""
    q, scale, b1, w2, b2 = params[:5]
    if len(params) > 5 and params[5] is not None:
        X = tfidf(X, params[5] / 16)
    h = np.maximum((X @ q.astype(np.float32)) * scale + b1, 0)
    return h @ w2 + b2


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit(X, y, n_classes, hidden, epochs, lr, alpha, feature_dropout, seed, batch=64, decay=0.0, smoothing=0.0,
        average=0, sample_weight=None, soft=None, kd_alpha=0.0, kd_temp=1.0):
    """One-hidden-layer MLP (softmax cross-entropy, L2 `alpha`) trained with Adam in numpy.

    Replaces sklearn's MLPClassifier, which updates the whole embedding table every step (~4 min a fit).
    Here the table uses *lazy* Adam: a step updates only the rows its batch touches, so a fit takes
    seconds and rows of features never seen in training stay untouched; they are zeroed at the end
    (smaller gzip, and no random noise on unseen n-grams). Feature dropout drops input n-grams at
    random during training, which helps with rare n-grams.

    `decay`: the learning rate falls linearly to lr·(1 − decay) by the last step. `smoothing`: label
    smoothing. `average`: the returned weights are the mean of the weights at the end of the last
    `average` epochs (snapshot averaging; 0 = last weights). `sample_weight`: per-example loss weights.

    Distillation: `soft` [n, C] holds the teacher's probabilities (an all-zero row: no teacher label). For
    rows with one the loss is kd_alpha·T²·KL(q_T ‖ softmax(z/T)) + (1 − kd_alpha)·CE(hard label), where
    q_T ∝ q^(1/T) and T = kd_temp; its gradient in the logits is kd_alpha·T·(softmax(z/T) − q_T) plus
    (1 − kd_alpha) times the cross-entropy's. Rows without one keep the hard-label loss alone."""
    rng = np.random.default_rng(seed)
    V = X.shape[1]
    lim1, lim2 = np.sqrt(6 / (V + hidden)), np.sqrt(6 / (hidden + n_classes))  # Glorot, as sklearn
    W1 = rng.uniform(-lim1, lim1, (V, hidden)).astype(np.float32)
    dense = [rng.uniform(-lim2, lim2, (hidden, n_classes)).astype(np.float32),  # W2, b1, b2
             np.zeros(hidden, np.float32), np.zeros(n_classes, np.float32)]
    m, v = [np.zeros_like(p) for p in dense], [np.zeros_like(p) for p in dense]
    m1, v1, t1 = np.zeros_like(W1), np.zeros_like(W1), np.zeros(V, np.int64)  # per-row lazy Adam state
    be1, be2, eps, t = 0.9, 0.999, 1e-8, 0
    X = X.tocsr()
    sw = np.ones(X.shape[0], np.float32) if sample_weight is None else np.asarray(sample_weight, np.float32)
    steps = epochs * -(-X.shape[0] // batch)
    snaps = None
    if soft is not None and kd_alpha > 0:
        has_soft = soft.sum(1) > 0
        qT = soft ** (1 / kd_temp)
        qT /= np.maximum(qT.sum(1, keepdims=True), 1e-30)
    else:
        has_soft = None
    for epoch in range(epochs):
        order = rng.permutation(X.shape[0])
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            Xb, yb, B = X[idx], y[idx], len(idx)
            if feature_dropout:
                Xb.data *= (rng.random(Xb.nnz) >= feature_dropout) / (1 - feature_dropout)
            W2, b1, b2 = dense
            pre = Xb @ W1 + b1
            H = np.maximum(pre, 0)
            z = H @ W2 + b2
            p = softmax(z)
            p[np.arange(B), yb] -= 1 - smoothing
            if smoothing:
                p -= smoothing / n_classes
            if has_soft is not None:
                hs = has_soft[idx]
                if hs.any():
                    gk = kd_temp * (softmax(z[hs] / kd_temp) - qT[idx[hs]])
                    p[hs] = (1 - kd_alpha) * p[hs] + kd_alpha * gk
            dz = p * (sw[idx] / B)[:, None]
            dH = dz @ W2.T * (pre > 0)
            grads = [H.T @ dz + alpha * W2, dH.sum(0), dz.sum(0)]
            coo = Xb.tocoo()
            rows, inv = np.unique(coo.col, return_inverse=True)
            g1 = sparse.csr_matrix((coo.data, (inv, coo.row)), shape=(len(rows), B)) @ dH + alpha * W1[rows]
            t += 1
            lr_t = lr * (1 - decay * (t - 1) / max(1, steps - 1))
            for i, g in enumerate(grads):
                m[i] = be1 * m[i] + (1 - be1) * g
                v[i] = be2 * v[i] + (1 - be2) * g * g
                dense[i] -= lr_t * np.sqrt(1 - be2 ** t) / (1 - be1 ** t) * m[i] / (np.sqrt(v[i]) + eps)
            t1[rows] += 1
            tr = t1[rows][:, None]
            m1[rows] = be1 * m1[rows] + (1 - be1) * g1
            v1[rows] = be2 * v1[rows] + (1 - be2) * g1 * g1
            W1[rows] -= lr_t * np.sqrt(1 - be2 ** tr) / (1 - be1 ** tr) * m1[rows] / (np.sqrt(v1[rows]) + eps)
        if average and epoch >= epochs - average:
            snap = [W1] + dense
            snaps = [p.copy() for p in snap] if snaps is None else [a + p for a, p in zip(snaps, snap)]
    if snaps is not None:
        W1, dense = snaps[0] / average, [p / average for p in snaps[1:]]
    W1[t1 == 0] = 0
    return W1, dense[1], dense[0], dense[2]


def concat_members(members):
    """k networks (W1, b1, W2, b2) trained with different seeds → one network whose logits are exactly the
    mean of theirs: hidden layers side by side, output weights stacked and divided by k, biases averaged.
    The graph is unchanged; only the hidden width grows (k × hidden)."""
    k = len(members)
    return (np.concatenate([m[0] for m in members], axis=1), np.concatenate([m[1] for m in members]),
            np.concatenate([m[2] for m in members], axis=0) / k, sum(m[3] for m in members) / k)


def idf_weights(X):
    """Smoothed inverse document frequency of each feature row: ln((1 + n) / (1 + df)) + 1."""
    df = np.bincount(X.tocsr().indices, minlength=X.shape[1])
    return (np.log((1 + X.shape[0]) / (1 + df)) + 1).astype(np.float32)


def fit_temperature(logits, y):
    best = (1e9, 1.0)
    for t in np.arange(0.3, 3.01, 0.05):
        p = softmax(logits / t)
        nll = -np.mean(np.log(p[np.arange(len(y)), y] + 1e-12))
        best = min(best, (nll, float(t)))
    return best[1]


def choose_threshold(p_in, p_oos, oos_idx, max_in_server=0.03):
    """Largest answer threshold whose in-scope server rate on dev stays ≤ max_in_server; this maximises
    the out-of-scope questions caught. Chosen on held-out *training* data only."""
    def server_rate(p, t):
        top = p.argmax(1)
        return np.mean((top == oos_idx) | (p.max(1) < t))
    best = 0.0
    for t in np.arange(0.0, 0.951, 0.01):
        if server_rate(p_in, t) <= max_in_server:
            best = float(t)
    return round(best, 2), server_rate(p_in, best), server_rate(p_oos, best)


TEACHER_FILE = ROOT / "training/teacher/soft_labels.json"


def load_soft_labels(path, texts, labels):
    """The cached teacher probabilities (training/teacher.py) as a dense [len(texts), C] array; rows of texts
    the file lacks are zero (hard labels only). The top-k probabilities are kept as they are and the rest of
    the mass is spread evenly over the other classes. None when the file is absent."""
    if not path or not Path(path).exists():
        return None
    import teacher_labels
    return teacher_labels.dense(json.loads(Path(path).read_text()), texts, labels)


def choose_margin(p, y, oos_idx, th, k=3):
    """"Did you mean" margin: clarify (offer the top k in-scope intents) when p1 − p2 < margin and the route
    would be Answer. Chosen on dev to maximise (#answered right) + 0.5·(#clarified with the right intent
    among the choices) − 1.5·(#answered wrong) − 0.25·(#clarified where the top-1 was already right).
    Returns (margin, figures at that margin)."""
    order = np.argsort(-p, axis=1)
    top = order[:, 0]
    answer = (top != oos_idx) & (p.max(1) >= th)
    ps = np.sort(p, axis=1)
    gap = ps[:, -1] - ps[:, -2]
    cand = [[c for c in row if c != oos_idx][:k] for row in order[:, :k + 1]]
    among = np.array([y[i] in cand[i] for i in range(len(y))])
    right = top == y
    best = None
    for m in np.round(np.arange(0.0, 0.501, 0.01), 2):
        clar = answer & (gap < m)
        ans = answer & ~clar
        u = (ans & right).sum() + 0.5 * (clar & among).sum() - 1.5 * (ans & ~right).sum() - 0.25 * (clar & right).sum()
        if best is None or u > best[0] + 1e-9:
            best = (u, float(m), {"utility": float(u), "answered": int(ans.sum()),
                                  "answer_accuracy": float((ans & right).sum() / max(1, ans.sum())),
                                  "clarified_share": float(clar.sum() / len(y)),
                                  "right_among_choices": float((clar & among).sum() / max(1, clar.sum())),
                                  "answer_accuracy_without_margin": float((answer & right).sum() / max(1, answer.sum()))})
    return best[1], best[2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--alpha", type=float, default=1e-5)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--feature-dropout", type=float, default=0.2)
    ap.add_argument("--zh-repeat", type=int, default=4, help="oversample our Chinese phrases (few per intent)")
    ap.add_argument("--decay", type=float, default=0.9, help="linear learning-rate decay over training")
    ap.add_argument("--average", type=int, default=5, help="average the weights of the last N epochs")
    ap.add_argument("--idf", type=int, default=2,
                    help="0: no IDF; 1: scale features by IDF in training, folded into the table; "
                         "2: TF-IDF in the graph (IDF vector, weights re-normalised)")
    ap.add_argument("--zh-oos-weight", type=float, default=1.0, help="loss weight of Chinese out-of-scope phrases")
    ap.add_argument("--levels", type=int, default=11, help="int8 table values in -levels..levels")
    ap.add_argument("--ensemble", type=int, default=1,
                    help="train this many networks (seeds seed, seed+1000, …) and export them as one whose "
                         "logits are their mean (hidden width ensemble × hidden)")
    ap.add_argument("--teacher", default=str(TEACHER_FILE),
                    help="cached teacher probabilities (training/teacher.py); used when the file exists, '' = none")
    ap.add_argument("--kd-alpha", type=float, default=0.3, help="distillation: weight of the teacher's KL term")
    ap.add_argument("--kd-temp", type=float, default=2.0, help="distillation temperature")
    ap.add_argument("--quick", action="store_true",
                    help="a small, fast run on the knowledge base's phrases only (no BANKING77/CLINC150, no "
                         "teacher, one network, few epochs), writing only the model: for the improvement "
                         "loop's test, never for the committed model")
    ap.add_argument("--kb", default=None, help="knowledge base directory (default public/kb)")
    ap.add_argument("--model-dir", default=str(MODEL_DIR), help="where intent-model.{onnx,json} are written")
    args = ap.parse_args()
    if args.quick:
        args.teacher, args.ensemble = "", 1
        args.epochs = min(args.epochs, 8)
    t0 = time.time()
    sets = data.build_quick(args.seed, args.kb) if args.quick else data.build(args.seed)
    labels = sets["labels"]
    index = {l: i for i, l in enumerate(labels)}
    oos_idx = index[data.OOS]
    info = featuriser_info()
    rows = info["word_buckets"] + info["char_buckets"]

    def xy(pairs):
        return featurise([t for t, _ in pairs], rows), np.array([index[c] for _, c in pairs])

    Xtr, ytr = xy(sets["train"])
    Xdi, ydi = xy(sets["dev_in"])
    Xdo, _ = xy(sets["dev_oos"])
    Str = load_soft_labels(args.teacher, [t for t, _ in sets["train"]], labels)
    Sdi = load_soft_labels(args.teacher, [t for t, _ in sets["dev_in"]], labels)
    if Str is not None:
        print(f"teacher labels for {int((Str.sum(1) > 0).sum())} of {len(Str)} training rows "
              f"(alpha {args.kd_alpha}, T {args.kd_temp})")
    print(f"train {Xtr.shape[0]} examples, {len(labels)} classes, {rows} feature rows ({time.time()-t0:.0f}s)")

    # Our Chinese phrases are few (~22 per intent vs ~117 English): repeat them in training.
    zh = np.array([data.is_chinese(t) for t, _ in sets["train"]])
    rep = np.concatenate([np.arange(len(zh))] + [np.flatnonzero(zh)] * (args.zh_repeat - 1))

    def train_on(X, y, X_unique, is_zh, soft):
        """Fits and returns the quantised parameters of the exported graph. With --idf the model is trained on
        IDF-scaled features (IDF from `X_unique`, the training rows without repeats) and the IDF is then
        folded into the table's rows (x·idf @ W = x @ (idf·W)), so the graph and featuriser stay as they are."""
        idf = idf_weights(X_unique) if args.idf else np.ones(X.shape[1], np.float32)
        if args.idf == 2:  # in the graph: uint8 steps of 1/16
            idf_q = np.clip(np.round(idf * 16), 1, 255).astype(np.uint8)
            X, idf = tfidf(X, idf_q / 16), np.ones(X.shape[1], np.float32)
        members = [fit(X @ sparse.diags(idf), y, len(labels), args.hidden, args.epochs, args.lr, args.alpha,
                       args.feature_dropout, args.seed + 1000 * j, decay=args.decay, average=args.average,
                       sample_weight=np.where(is_zh & (y == oos_idx), args.zh_oos_weight, 1.0),
                       soft=soft, kd_alpha=args.kd_alpha, kd_temp=args.kd_temp)
                   for j in range(args.ensemble)]
        W1, b1, W2, b2 = concat_members(members)
        q, scale = export.quantize_columns(W1 * idf[:, None], args.levels)
        return q, scale, b1, W2, b2, (idf_q if args.idf == 2 else None)

    # 1) Fit on train, choose temperature and threshold on dev, print dev accuracy by language.
    params = train_on(Xtr[rep], ytr[rep], Xtr, zh[rep], None if Str is None else Str[rep])
    print(f"trained in {time.time()-t0:.0f}s")
    logits = forward(params, Xdi)
    dzh = np.array([data.is_chinese(t) for t, _ in sets["dev_in"]])
    top = logits.argmax(1)
    print(f"dev_in top-1: English {np.mean(top[~dzh] == ydi[~dzh]):.2%}, Chinese {np.mean(top[dzh] == ydi[dzh]):.2%}")
    T = fit_temperature(logits, ydi)
    p_in, p_oos = softmax(logits / T), softmax(forward(params, Xdo) / T)
    th, in_rate, oos_rate = choose_threshold(p_in, p_oos, oos_idx)
    print(f"temperature {T:.2f}; answer threshold {th} (dev: {in_rate:.1%} in-scope → server, {oos_rate:.1%} CLINC oos_val → server)")
    margin, mfig = choose_margin(p_in, ydi, oos_idx, th)
    print(f"did-you-mean margin {margin:.2f} (dev: answers given {mfig['answer_accuracy']:.2%} right "
          f"(without the margin {mfig['answer_accuracy_without_margin']:.2%}), {mfig['clarified_share']:.1%} asked "
          f"'did you mean', right intent among the choices for {mfig['right_among_choices']:.1%} of those)")

    # 2) Refit on train + dev_in with the same settings (keeping T and threshold), so the final model
    # sees all of BANKING77's training split and all non-held-out Chinese phrases.
    yall = np.concatenate([ytr[rep], ydi] + [ydi[dzh]] * (args.zh_repeat - 1))
    Xall = sparse.vstack([Xtr[rep], Xdi] + [Xdi[dzh]] * (args.zh_repeat - 1)).tocsr()
    zall = np.concatenate([zh[rep], dzh] + [dzh[dzh]] * (args.zh_repeat - 1))
    Sall = None if Str is None else np.concatenate([Str[rep], Sdi] + [Sdi[dzh]] * (args.zh_repeat - 1))
    params = train_on(Xall, yall, sparse.vstack([Xtr, Xdi]).tocsr(), zall, Sall)
    print(f"refit on train+dev_in ({Xall.shape[0]} rows) in {time.time()-t0:.0f}s")

    model = export.build(*params[:5], T, idf=params[5])
    model_dir = Path(args.model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    onnx_bytes = model.SerializeToString()
    (model_dir / "intent-model.onnx").write_bytes(onnx_bytes)

    # Check the exported graph against numpy with onnxruntime.
    sess = ort.InferenceSession(onnx_bytes)

    def ort_probs(X):
        out = []
        for r in range(X.shape[0]):
            row = X.getrow(r)
            ids, w = (row.indices, row.data) if row.nnz else (np.array([0]), np.array([0.0]))
            out.append(sess.run(None, {"ids": ids.astype(np.int64)[None], "weights": w.astype(np.float32)[None]})[0][0])
        return np.array(out)

    p_check = softmax(forward(params, Xdi[:200]) / T)
    assert np.allclose(ort_probs(Xdi[:200]), p_check, atol=1e-4), "ONNX graph disagrees with numpy"

    if not args.quick:
        OUT.mkdir(parents=True, exist_ok=True)
    metrics = {}
    parity = []
    for name, pairs in sets["eval"].items():
        with open(OUT / f"{name}.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["text", "category"])
            w.writerows(pairs)
        X, y = xy(pairs)
        p = ort_probs(X)
        top = p.argmax(1)
        server = (top == oos_idx) | (p.max(1) < th)
        metrics[name] = {"examples": len(pairs), "accuracy": round(float(np.mean(top == y)), 4),
                         "routed_to_server": round(float(np.mean(server)), 4)}
        print(f"{name:16s} n={len(pairs):5d}  top-1 {np.mean(top == y):.2%}  → server {np.mean(server):.2%}")
        parity += [{"text": pairs[i][0], "top": labels[top[i]]} for i in range(0, len(pairs), max(1, len(pairs) // 25))]

    meta = {
        "format": 1,
        "model_version": datetime.date.today().isoformat() + f".s{args.seed}",
        "sha256": hashlib.sha256(onnx_bytes).hexdigest(),
        "featuriser": info,
        "labels": labels,
        "thresholds": {"answer": th, "handoff": th, "margin": margin},
        "temperature": round(T, 3),
        "training": {
            "command": "python3 training/train.py --quick" if args.quick else "cargo xtask train",
            "seed": args.seed, "hidden": args.hidden, "epochs": args.epochs, "alpha": args.alpha, "lr": args.lr,
            "feature_dropout": args.feature_dropout, "zh_repeat": args.zh_repeat, "refit_on_dev": True,
            "lr_decay": args.decay, "average_last_epochs": args.average, "idf": ["none", "folded into the table", "TF-IDF in the graph"][args.idf],
            "teacher": (json.loads(Path(args.teacher).read_text())["teacher"] if Str is not None else None),
            "kd_alpha": args.kd_alpha if Str is not None else None, "kd_temp": args.kd_temp if Str is not None else None,
            "margin_dev": {k: round(v, 4) for k, v in mfig.items()},
            "table_levels": args.levels, "zh_oos_weight": args.zh_oos_weight, "ensemble": args.ensemble,
            "train_examples": int(Xall.shape[0]),
            "data": ["knowledge-base phrases only (--quick)"] if args.quick else
                    ["BANKING77 train (CC BY 4.0)", "CLINC150 train + oos_train (CC BY 3.0; negatives without banking words)",
                     "public/kb phrases"] + (["training/teacher/soft_labels.json (all-MiniLM-L6-v2, Apache-2.0)"] if Str is not None else []),
            "tuned_on": "10% of BANKING77 train, 10% of our Chinese phrases, CLINC150 oos_val (then refit on train + that 10%)",
            "metrics": metrics,
        },
    }
    (model_dir / "intent-model.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    if not args.quick:
        (ROOT / "training/parity.json").write_text(json.dumps(parity, indent=1, ensure_ascii=False) + "\n")
    import gzip
    print(f"wrote {model_dir}/intent-model.onnx ({len(onnx_bytes)/1024:.0f} KiB, "
          f"{len(gzip.compress(onnx_bytes, 9))/1024:.1f} KiB gzip) in {time.time()-t0:.0f}s")


if __name__ == "__main__":
    sys.exit(main())
