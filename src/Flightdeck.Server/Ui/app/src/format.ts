export function formatTime(ms: number | string | null | undefined): string {
  const value = Number(ms);
  if (!ms || !Number.isFinite(value)) return "";
  const d = new Date(value);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDuration(start: number | string | null | undefined, end: number | string | null | undefined): string {
  const from = Number(start), to = Number(end);
  if (!start || !end || !Number.isFinite(from) || !Number.isFinite(to) || to < from) return "";
  const seconds = (to - from) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = seconds / 60;
  if (minutes < 60) return `${minutes.toFixed(1)} min`;
  return `${(minutes / 60).toFixed(1)} h`;
}

export function formatValue(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return "";
  const n = Number(value);
  if (typeof value === "string" && !Number.isFinite(n)) return value;
  if (Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  return abs !== 0 && (abs < 1e-4 || abs >= 1e6) ? n.toExponential(4) : String(Number(n.toPrecision(6)));
}

export function formatBytes(size: number | undefined): string {
  if (size === undefined || size === null) return "";
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / 1024 / 1024).toFixed(1)} MiB`;
}

/** Quotes a key for the MLflow filter grammar: metrics.`my key`. */
export function quoteKey(key: string): string {
  return "`" + key.replace(/`/g, "") + "`";
}

/** Short axis labels: 120000 → 120k, 2500000 → 2.5M. */
export function formatCompact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${Number((value / 1e9).toPrecision(3))}G`;
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  return formatValue(value);
}
