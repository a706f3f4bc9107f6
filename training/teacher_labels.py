"""Reading the cached teacher labels (training/teacher/soft_labels.json, written by training/teacher.py).
Needs numpy only, so `cargo xtask train` uses the cache on a machine without the teacher."""
import hashlib

import numpy as np


def text_key(text):
    """First 16 hex digits of the text's SHA-256 (UTF-8): the key of a row in the cache."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def dense(cache, texts, labels):
    """[len(texts), len(labels)] probabilities; zero rows for texts without a teacher label. Labels are
    matched by name, so intents added since the cache was made simply get no teacher mass."""
    col = {l: labels.index(l) if l in labels else -1 for l in cache["labels"]}
    names = cache["labels"]
    P = np.zeros((len(texts), len(labels)), np.float32)
    for r, t in enumerate(texts):
        row = cache["rows"].get(text_key(t))
        if not row:
            continue
        for i, pr in row:
            c = col[names[i]]
            if c >= 0:
                P[r, c] = pr
        rest = 1.0 - P[r].sum()
        free = P[r] == 0
        if rest > 0 and free.any():
            P[r, free] = rest / free.sum()
        P[r] /= P[r].sum()
    return P
