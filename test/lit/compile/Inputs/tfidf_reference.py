"""Checks edgec's TfIdfVectorizer output against numpy, counted here from
the op's definition: tfidf_reference.py MODEL.onnx TOKENS.bin OUT.bin.

Each row of TOKENS (int64 [rows, length]) is scanned for every n-gram of
the model's pool with every skip up to max_skip_count (n-grams of length 1
once per position); the counts go to the gram's ngram_indexes column, then
mode: TF the counts, IDF the weight where the count is nonzero, TFIDF
count times weight. Prints 'match' or the difference; exit 1 on one."""
import sys

import numpy as np
import onnx
from onnx import helper


def main():
    model, tokens_path, out_path = sys.argv[1:4]
    node = onnx.load(model).graph.node[0]
    a = {x.name: helper.get_attribute_value(x) for x in node.attribute}
    pool, starts, indexes = list(a["pool_int64s"]), list(a["ngram_counts"]), list(a["ngram_indexes"])
    weights = list(a.get("weights", [1.0] * len(indexes)))
    mode = a["mode"].decode()
    columns = max(indexes) + 1
    tokens = np.fromfile(tokens_path, dtype=np.int64).reshape(3, -1)
    want = np.zeros((tokens.shape[0], columns), np.float32)
    gram = 0
    for i, begin in enumerate(starts):
        n = i + 1
        end = starts[i + 1] if i + 1 < len(starts) else len(pool)
        for g in range((end - begin) // n):
            pattern = pool[begin + g * n: begin + (g + 1) * n]
            if a["min_gram_length"] <= n <= a["max_gram_length"]:
                for r, row in enumerate(tokens):
                    for skip in range(a["max_skip_count"] + 1 if n > 1 else 1):
                        step = skip + 1
                        for s in range(len(row) - (n - 1) * step):
                            if list(row[s: s + (n - 1) * step + 1: step]) == pattern:
                                want[r, indexes[gram + g]] += 1
        gram += (end - begin) // n
    w = np.ones(columns, np.float32)
    for g, c in enumerate(indexes):
        w[c] = weights[g]
    if mode == "IDF":
        want = np.where(want > 0, w, 0).astype(np.float32)
    elif mode == "TFIDF":
        want = want * w
    got = np.fromfile(out_path, dtype=np.float32).reshape(want.shape)
    if not np.array_equal(got, want):
        print("differ:\n", got, "\n", want)
        return 1
    print("match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
