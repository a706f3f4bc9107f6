"""Writes training/out/zh_heldout_unseen_by_both.csv: Chinese held-out phrases that neither the current
model nor the model trained on the knowledge base at git revision REV has trained on, so the two models can
be compared fairly after phrases were added (adding phrases redraws the held-out split).

    python3 training/unseen_zh.py REV
    cargo run -q --release -p assistant-cli -- eval [--model-dir DIR] training/out/zh_heldout_unseen_by_both.csv"""
import csv, io, subprocess, sys, tarfile, tempfile
from pathlib import Path

import data


def main(rev):
    new = data.build(7)
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", rev, "public/kb"], cwd=data.ROOT, check=True, capture_output=True).stdout
        tarfile.open(fileobj=io.BytesIO(archive)).extractall(tmp, filter="data")
        data.ROOT = Path(tmp)
        old = data.build(7)
    old_held = set(old["eval"]["zh_heldout"])
    old_seen = set(old["train"] + old["dev_in"]) | old_held
    unseen = [p for p in new["eval"]["zh_heldout"] if p in old_held or p not in old_seen]
    out = Path(__file__).resolve().parent / "out" / "zh_heldout_unseen_by_both.csv"
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "category"])
        w.writerows(unseen)
    print(f"{len(unseen)} phrases ({len(set(new['eval']['zh_heldout']) & old_held)} in both held-out sets) → {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "HEAD")
