"""Medians over repetitions of bench/run-serving.sh's runs.tsv, and each target against `batched` of the same
repetition: by req/s (what the run achieved, at the mercy of other jobs' load) and by CPU per request (server + wrk,
which on 2 saturated cores is what bounds the throughput, and which other jobs' load does not change)."""
import csv
import statistics
import sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by_target = defaultdict(list)
by_rep = defaultdict(dict)
for row in rows:
    by_target[row["target"]].append(row)
    by_rep[row["rep"]][row["target"]] = row


def ms(value):
    value = value.strip()
    for unit, scale in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * scale
    return float(value)


def per_10k(group, generation):
    return statistics.median(float(r[generation]) * 10_000 / float(r["requests"]) for r in group)


def total_cpu(row):
    return float(row["server_cpu_us_per_req"]) + float(row["wrk_cpu_us_per_req"])


print("| target | req/s (median) | p50 ms | p99 ms | server CPU µs/req | wrk CPU µs/req | ÷ batched, req/s | ÷ batched, CPU "
      "| GCs gen0/1/2 per 10k req | GC pause µs/req | KB alloc/req |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for target, group in by_target.items():
    rps = [float(r["req_per_s"]) / float(by_rep[r["rep"]]["batched"]["req_per_s"]) for r in group if "batched" in by_rep[r["rep"]]]
    cpu = [total_cpu(by_rep[r["rep"]]["batched"]) / total_cpu(r) for r in group if "batched" in by_rep[r["rep"]]]
    print(f"| {target} | {statistics.median(float(r['req_per_s']) for r in group):,.0f} "
          f"| {statistics.median(ms(r['p50']) for r in group):.2f} | {statistics.median(ms(r['p99']) for r in group):.2f} "
          f"| {statistics.median(float(r['server_cpu_us_per_req']) for r in group):.1f} "
          f"| {statistics.median(float(r['wrk_cpu_us_per_req']) for r in group):.1f} "
          f"| {statistics.median(rps):.2f} ({', '.join(f'{x:.2f}' for x in rps)}) "
          f"| {statistics.median(cpu):.2f} ({', '.join(f'{x:.2f}' for x in cpu)}) "
          f"| {'/'.join(f'{per_10k(group, g):.1f}' for g in ('gen0', 'gen1', 'gen2'))} "
          f"| {statistics.median(float(r['gc_pause_ms']) * 1000 / float(r['requests']) for r in group):.2f} "
          f"| {statistics.median(float(r['alloc_kb_per_req']) for r in group):.2f} |")
