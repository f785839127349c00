"""docs/ingest-latency.png from `cargo xtask bench-ingest`'s results.json.

p50 and p99 latency against the offered rate of the open-loop steps, sealed
and plaintext, PostgreSQL and SQLite, on a log axis with the report's two
lines: 15 ms (the target at 80 % of the highest sustained rate) and 150 ms
(the budget). Usage: plot.py RESULTS_JSON OUT_PNG
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = {
    ("postgres", "sealed"): ("tab:blue", "-"),
    ("postgres", "plaintext"): ("tab:blue", ":"),
    ("sqlite", "sealed"): ("tab:orange", "-"),
    ("sqlite", "plaintext"): ("tab:orange", ":"),
}
NAMES = {"postgres": "PostgreSQL", "sqlite": "SQLite"}


def main(results_path, out_path):
    with open(results_path) as f:
        results = json.load(f)
    runs = {r["label"]: r for r in results["runs"]}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), sharey=True)
    for ax, quantile, title in ((axes[0], "p50", "p50"), (axes[1], "p99", "p99")):
        for config in results["configurations"]:
            points = []
            for step in config["steps"]:
                run = runs.get(step["label"])
                if run and run.get("latency_ms"):
                    points.append((run["offered_rate"], run["latency_ms"][quantile]))
            if not points:
                continue
            colour, line = STYLE[(config["store"], config["body"])]
            xs, ys = zip(*sorted(points))
            ax.plot(xs, ys, line, marker="o", color=colour,
                    label=f"{NAMES[config['store']]}, {config['body']}")
        ax.axhline(15, color="grey", linewidth=0.8, linestyle="--")
        ax.axhline(150, color="red", linewidth=0.8, linestyle="--")
        ax.text(ax.get_xlim()[0], 15 * 1.08, " 15 ms", color="grey", fontsize=8)
        ax.text(ax.get_xlim()[0], 150 * 1.08, " 150 ms budget", color="red", fontsize=8)
        ax.set_yscale("log")
        ax.set_xlabel("offered rate (requests/s, open loop, keep-alive)")
        ax.set_title(f"{title} latency")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("latency from intended send time (ms)")
    axes[1].legend(fontsize=8, loc="upper left")
    fig.suptitle(
        f"enseal-ingest POST /intake over TLS 1.3: {results['date']}, commit {results['commit']}, "
        f"{results['machine']['cores']} cores shared with the generator",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
