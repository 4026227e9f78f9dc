"""Write a simulated Likert data set as Parquet files: ROWS rows of COLS items q1 … qCOLS
(Int8, 1–5) from three correlated factors, split into FILES files of row groups of at most
GROUP rows (Snappy, which every Parquet reader here decodes). FORMAT `csv` writes the same
values as CSV files instead (comma-separated, with a header).

    python benches/likert_parquet.py OUT_DIR [ROWS] [COLS] [FILES] [GROUP] [FORMAT]

Defaults: 1e7 rows, 30 items, 16 files, row groups of 131 072 rows (5 per file at the
defaults: 80 row groups). Fixed seed: the same arguments give the same files. Items
q1 … q10 load on the first factor, q11 … q20 on the second, the rest on the third (loadings
0.45–0.8, factor correlations 0.3, 0.4, 0.2); each item's continuous response is cut at
item-specific thresholds into five categories.
"""

import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def main():
    out = sys.argv[1]
    rows = int(float(sys.argv[2])) if len(sys.argv) > 2 else 10_000_000
    cols = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    files = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    group = int(sys.argv[5]) if len(sys.argv) > 5 else 131_072
    fmt = sys.argv[6] if len(sys.argv) > 6 else "parquet"
    if fmt not in ("parquet", "csv"):
        sys.exit(f"FORMAT is parquet or csv, not {fmt}")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261208)
    factor = np.minimum(np.arange(cols) * 3 // cols, 2)
    lam = 0.45 + 0.35 * rng.random(cols)
    phi = np.array([[1.0, 0.3, 0.4], [0.3, 1.0, 0.2], [0.4, 0.2, 1.0]])
    chol = np.linalg.cholesky(phi)
    cuts = np.sort(np.array([-1.5, -0.5, 0.5, 1.5]) + rng.normal(0.0, 0.3, (cols, 4)), axis=1)
    names = [f"q{j + 1}" for j in range(cols)]
    for f in range(files):
        n = rows * (f + 1) // files - rows * f // files
        eta = rng.standard_normal((n, 3)) @ chol.T
        arrays = []
        for j in range(cols):
            z = lam[j] * eta[:, factor[j]] + np.sqrt(1 - lam[j] ** 2) * rng.standard_normal(n)
            arrays.append(pa.array((1 + np.searchsorted(cuts[j], z)).astype(np.int8)))
        table = pa.Table.from_arrays(arrays, names=names)
        if fmt == "csv":
            pacsv.write_csv(table, f"{out}/part-{f:03d}.csv")
        else:
            pq.write_table(
                table, f"{out}/part-{f:03d}.parquet", row_group_size=group, compression="snappy"
            )
    with open(f"{out}/.complete", "w") as done:
        done.write(f"{rows} {cols} {files} {group} {fmt}\n")


if __name__ == "__main__":
    main()
