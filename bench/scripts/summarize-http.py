"""Medians of bench/run-http.sh's runs.tsv, with the ratio to the baseline measured in the same run."""
import csv
import statistics
import sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
groups = defaultdict(list)
for row in rows:
    groups[(row["scenario"], row["target"])].append(row)


def median(group, column):
    return statistics.median(float(r[column]) for r in group)


print("| scenario | target | reps | req/s (median) | metric points/s | p50 ms | p99 ms | vs baseline req/s | server CPU us/req | errors |")
print("|---|---|---|---|---|---|---|---|---|---|")
for (scenario, target), group in groups.items():
    rps = median(group, "rps")
    points = rps * int(group[0]["metrics_per_request"])
    base = groups.get((scenario, "baseline"))
    ratio = f"{rps / median(base, 'rps'):.2f}" if base and target != "baseline" else "-"
    errors = sum(int(r["errors"]) + int(r["non2xx"]) for r in group)
    print(f"| {scenario} | {target} | {len(group)} | {rps:,.0f} | {points:,.0f} | {median(group, 'p50_us') / 1000:.2f} "
          f"| {median(group, 'p99_us') / 1000:.2f} | {ratio} | {median(group, 'server_cpu_us_per_req'):,.0f} | {errors} |")
print()
print("Per run (req/s, p99 ms, 1-min load when it started):")
for (scenario, target), group in groups.items():
    runs = ", ".join(f"{float(r['rps']):,.0f} / {int(r['p99_us']) / 1000:.1f} / {r['load1']}" for r in group)
    print(f"- {scenario} {target}: {runs}")
