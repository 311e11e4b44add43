"""The benchmark's table (stdout), bench/out/results.json and bench/out/results.png, whose bars
are the ratios baseline time / relaxrun time per case (above the line at 1: relaxrun is faster)."""
import json
import os

from common import OUT


def gflops(row):
    return row["flops"] / (row["relaxrun_us"] * 1e3) if row.get("flops") else None


def table(rows, peak, extras):
    print("multiply-add peak measured in this run: %.1f GFLOP/s on 1 core, %.1f on %d (%d-lane vectors)"
          % (peak["gflops_1"], peak["gflops_all"], peak["cores"], peak["lanes"]))
    print(f"{'case':52} {'relaxrun':>11} {'GFLOP/s':>8} {'of peak':>7}  baselines: time (baseline / relaxrun)")
    for row in rows:
        rate = gflops(row)
        rate_text = f"{rate:8.1f} {100 * rate / peak['gflops_all']:6.1f}%" if rate else " " * 16
        us = row["relaxrun_us"]
        time_text = f"{us / 1e3:8.2f} ms" if us >= 1e4 else f"{us:8.1f} us"
        parts = []
        for name, value in row["baselines"].items():
            shown = f"{value / 1e3:.2f} ms" if value >= 1e4 else f"{value:.1f} us"
            parts.append(f"{name} {shown} ({value / us:.2f}x)")
        note = f"  [{row['note']}]" if row.get("note") else ""
        print(f"{row['case']:52} {time_text:>11} {rate_text}  " + ", ".join(parts) + note)
    for key, value in extras.items():
        print(f"{key:52} {json.dumps(value)}")


def chart(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no chart")
        return
    shown = [r for r in rows if r["group"] != "process"]
    names = sorted({b for r in shown for b in r["baselines"]})
    colours = dict(zip(names, plt.get_cmap("tab10").colors))
    fig, ax = plt.subplots(figsize=(max(10, 0.55 * len(shown) * 1.2), 6))
    width = 0.8 / max(1, max(len(r["baselines"]) for r in shown))
    ceiling = 6.0  # taller bars are cut and labelled with their value
    for x, row in enumerate(shown):
        for i, (name, value) in enumerate(row["baselines"].items()):
            ratio = value / row["relaxrun_us"]
            bar_x = x - 0.4 + width * (i + 0.5)
            ax.bar(bar_x, min(ratio, ceiling), width, color=colours[name], label=name)
            ax.text(bar_x, min(ratio, ceiling) + 0.05, f"{ratio:.1f}", ha="center", fontsize=6, rotation=90)
    ax.axhline(1.0, color="black", linewidth=1)
    ax.set_xticks(range(len(shown)))
    ax.set_xticklabels([r["case"] for r in shown], rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("baseline time / relaxrun time (above 1: relaxrun faster)")
    ax.set_ylim(0, ceiling + 0.6)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    ax.legend(unique.values(), unique.keys(), fontsize=7, ncol=3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def write(rows, peak, extras):
    table(rows, peak, extras)
    results = {"peak": peak, "rows": rows, **extras}
    for row in rows:
        rate = gflops(row)
        if rate:
            row["gflops"] = rate
            row["fraction_of_peak"] = rate / peak["gflops_all"]
        row["ratios"] = {k: v / row["relaxrun_us"] for k, v in row["baselines"].items()}
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    chart(rows, os.path.join(OUT, "results.png"))
    print(f"written: {os.path.join(OUT, 'results.json')} and results.png")
