"""Experiment harness (not part of `cargo xtask train`): featurise every split once at 2^20 + 2^20 buckets,
cache the matrices in training/out/, then fold them to any power-of-two bucket layout and train/evaluate
variants on the *dev* split in seconds. Test sets are never looked at here.

    python3 training/exp.py NAME key=value ...   (keys: see CFG below)"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import hashlib, json, sys, time
import numpy as np
from scipy import sparse

sys.path.insert(0, os.path.dirname(__file__))
import data, train, export

BIG = 1 << 20
CFG = dict(seed=7, wb=8192, cb=8192, hidden=64, epochs=12, lr=2e-3, alpha=1e-5, fd=0.2, zh_repeat=3, batch=64,
           decay=0.0, ls=0.0, avg=0, oos_w=1.0, idf=0, zh_oos_w=1.0, qmax=127, ens=1, kd_a=0.0, kd_t=2.0,
           teacher="")


def load(seed):
    sets = data.build(seed)
    names = ["train", "dev_in", "dev_oos"]
    texts = [t for n in names for t, _ in sets[n]]
    key = hashlib.sha256(json.dumps(texts, ensure_ascii=False).encode()).hexdigest()[:12]
    path = train.OUT / f"cache-{key}.npz"
    if path.exists():
        X = sparse.load_npz(path)
    else:
        import subprocess
        cmd = ["cargo", "run", "-q", "--release", "-p", "assistant-cli", "--", "features", "--buckets", f"{BIG},{BIG}"]
        stdin = "\n".join(json.dumps(t, ensure_ascii=False) for t in texts) + "\n"
        out = subprocess.run(cmd, cwd=train.ROOT, input=stdin, check=True, capture_output=True, text=True).stdout
        indptr, ids, vals = [0], [], []
        for line in out.splitlines():
            f = json.loads(line)
            ids += f["ids"]; vals += f["weights"]; indptr.append(len(ids))
        X = sparse.csr_matrix((np.array(vals, np.float32), np.array(ids), np.array(indptr)), shape=(len(texts), 2 * BIG))
        train.OUT.mkdir(parents=True, exist_ok=True)
        sparse.save_npz(path, X)
    out, s = {}, 0
    for n in names:
        k = len(sets[n]); out[n] = X[s:s + k]; s += k
    return sets, out


def fold(X, wb, cb):
    X = X.tocoo()
    col = np.where(X.col < BIG, X.col % wb, wb + (X.col - BIG) % cb)
    Y = sparse.csr_matrix((X.data, (X.row, col)), shape=(X.shape[0], wb + cb))
    Y.sum_duplicates()
    n = np.sqrt(np.asarray(Y.multiply(Y).sum(1))).ravel(); n[n == 0] = 1
    return sparse.diags(1 / n) @ Y


def main():
    name = sys.argv[1]
    cfg = dict(CFG)
    for kv in sys.argv[2:]:
        k, v = kv.split("="); cfg[k] = type(CFG[k])(v)
    t0 = time.time()
    sets, M = load(cfg["seed"])
    labels = sets["labels"]; index = {l: i for i, l in enumerate(labels)}; oos = index[data.OOS]
    Xtr, Xdi, Xdo = (fold(M[n], cfg["wb"], cfg["cb"]).tocsr() for n in ["train", "dev_in", "dev_oos"])
    if cfg["idf"]:
        df = np.bincount(Xtr.indices, minlength=Xtr.shape[1])
        idf = (np.log((1 + Xtr.shape[0]) / (1 + df)) + 1).astype(np.float32)
        if cfg["idf"] in (2, 4):
            idf = np.sqrt(idf)
        raw = (Xdi, Xdo)
        def rw(X):
            X = X @ sparse.diags(idf)
            if cfg["idf"] in (3, 4):
                return X.tocsr()
            n = np.sqrt(np.asarray(X.multiply(X).sum(1))).ravel(); n[n == 0] = 1
            return (sparse.diags(1 / n) @ X).tocsr()
        Xtr, Xdi, Xdo = rw(Xtr), rw(Xdi), rw(Xdo)
    ytr = np.array([index[c] for _, c in sets["train"]]); ydi = np.array([index[c] for _, c in sets["dev_in"]])
    zh = np.array([data.is_chinese(t) for t, _ in sets["train"]])
    dzh = np.array([data.is_chinese(t) for t, _ in sets["dev_in"]])
    rep = np.concatenate([np.arange(len(zh))] + [np.flatnonzero(zh)] * (cfg["zh_repeat"] - 1))
    soft = train.load_soft_labels(cfg["teacher"], [t for t, _ in sets["train"]], labels) if cfg["kd_a"] else None
    w = np.ones(len(ytr), np.float32)
    w[ytr == oos] *= cfg["oos_w"]
    w[(ytr == oos) & zh] *= cfg["zh_oos_w"]
    members = [train.fit(Xtr[rep], ytr[rep], len(labels), cfg["hidden"], cfg["epochs"], cfg["lr"], cfg["alpha"],
                         cfg["fd"], cfg["seed"] + 1000 * j, batch=cfg["batch"], decay=cfg["decay"], smoothing=cfg["ls"],
                         average=cfg["avg"], sample_weight=w[rep],
                         soft=None if soft is None else soft[rep], kd_alpha=cfg["kd_a"], kd_temp=cfg["kd_t"]) for j in range(cfg["ens"])]
    W1, b1, W2, b2 = train.concat_members(members)
    if cfg["idf"] in (3, 4):  # fold the idf into the table: the graph stays as it is
        W1 = W1 * idf[:, None]
        Xdi, Xdo = raw
    q, scale = export.quantize_columns(W1, cfg["qmax"])
    P = (q, scale, b1, W2, b2)
    lg = train.forward(P, Xdi); top = lg.argmax(1)
    en, zhacc = np.mean(top[~dzh] == ydi[~dzh]), np.mean(top[dzh] == ydi[dzh])
    T = train.fit_temperature(lg, ydi)
    th, ir, orate = train.choose_threshold(train.softmax(lg / T), train.softmax(train.forward(P, Xdo) / T), oos)
    margin, mfig = train.choose_margin(train.softmax(lg / T), ydi, oos, th)
    zerr = top[dzh] != ydi[dzh]
    zh_to_oos = np.mean(top[dzh][zerr] == oos) if zerr.any() else 0
    nz = int((q != 0).any(1).sum())
    import gzip
    gz = len(gzip.compress(q.tobytes(), 9)) / 1024
    res = dict(name=name, en=round(en * 100, 2), zh=round(zhacc * 100, 2), T=T, th=th, in_srv=round(ir * 100, 2),
               oos_srv=round(orate * 100, 1), margin=margin, m_acc=round(mfig["answer_accuracy"] * 100, 2),
               m_asked=round(mfig["clarified_share"] * 100, 1), m_among=round(mfig["right_among_choices"] * 100, 1), zh_err_to_oos=round(float(zh_to_oos), 2), rows=nz, gz_kib=round(gz, 1),
               secs=round(time.time() - t0), cfg={k: v for k, v in cfg.items() if v != CFG[k]})
    for lv in (63, 31, 15, 7):
        q2, s2 = export.quantize_columns(W1, lv)
        t2 = train.forward((q2, s2, b1, W2, b2), Xdi).argmax(1)
        res[f"q{lv}"] = [round(np.mean(t2[~dzh] == ydi[~dzh]) * 100, 2), round(np.mean(t2[dzh] == ydi[dzh]) * 100, 2),
                         round(len(gzip.compress(q2.tobytes(), 9)) / 1024, 1)]
    fl = train.forward((W1, np.ones(W1.shape[1], np.float32), b1, W2, b2), Xdi).argmax(1)
    res["float"] = [round(np.mean(fl[~dzh] == ydi[~dzh]) * 100, 2), round(np.mean(fl[dzh] == ydi[dzh]) * 100, 2)]
    print(json.dumps(res))
    np.savez(train.OUT / f"params-{name}.npz", W1=W1, b1=b1, W2=W2, b2=b2)
    with open(train.OUT / "experiments.jsonl", "a") as f:
        f.write(json.dumps(res) + "\n")
    np.save(train.OUT / f"dev-logits-{name}.npy", lg)


if __name__ == "__main__":
    main()
