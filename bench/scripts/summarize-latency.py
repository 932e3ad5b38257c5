"""Medians over repetitions of a latency runs.tsv (bench/run-search.sh, bench/run-history.sh)."""
import csv
import statistics
import sys
from collections import defaultdict

path, group_column = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(path), delimiter="\t"))
groups = defaultdict(list)
for row in rows:
    groups[(row[group_column], row["target"])].append(row)


def median(group, column):
    return statistics.median(float(r[column]) for r in group)


print(f"| {group_column} | target | reps x requests | items | p50 ms (median) | p90 ms | p99 ms (median) | max ms (worst) |")
print("|---|---|---|---|---|---|---|---|")
for (name, target), group in groups.items():
    print(f"| {name} | {target} | {len(group)} x {group[0]['count']} | {group[0]['items']} | {median(group, 'p50_ms'):.2f} "
          f"| {median(group, 'p90_ms'):.2f} | {median(group, 'p99_ms'):.2f} | {max(float(r['max_ms']) for r in group):.2f} |")
if rows and rows[0].get("server_cpu_us_per_req"):
    print()
    print("Server CPU per request (median over repetitions, warm-up requests included; PostgreSQL's backends not counted):")
    for (name, target), group in groups.items():
        print(f"- {name} {target}: {median(group, 'server_cpu_us_per_req'):.0f} us")
print()
print("Per repetition (p50 / p99 ms, 1-min load when it started):")
for (name, target), group in groups.items():
    print(f"- {name} {target}: " + ", ".join(f"{float(r['p50_ms']):.2f} / {float(r['p99_ms']):.2f} / {r['load1']}" for r in group))
