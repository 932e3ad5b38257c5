import { EndpointEvent, EndpointRoute, endpointsApi, GUARDRAIL_DEFAULTS, Rollout, ServingEndpoint, trafficApi, VersionTraffic } from "../endpoints-api";
import { errorBox, h, replace, showError } from "../dom";
import { formatTime, formatValue } from "../format";
import { PageContext } from "../main";
import { confirmDialog } from "../dialog";
import { LiveChart } from "../live-chart";

/** How often the endpoint pages poll the server while shown. */
const REFRESH_MS = 3000;

/** Every managed endpoint with its traffic split and rollout, refreshed while shown. */
export async function endpointsPage(context: PageContext): Promise<void> {
  document.title = "Endpoints · Flightdeck";
  const error = errorBox(null);
  const body = h("tbody");
  replace(context.root,
    h("h1", null, "Endpoints"),
    error,
    h("table", { class: "grid", "aria-label": "Endpoints" },
      h("thead", null, h("tr", null, ["Name", "State", "Traffic", "Rollout", "Last updated"].map(t => h("th", { scope: "col" }, t)))),
      body));

  async function load(): Promise<void> {
    try {
      const { endpoints = [] } = await endpointsApi.list();
      if (!context.isCurrent()) return;
      showError(error, null);
      replace(body, endpoints.length ? endpoints.map(row)
        : h("tr", null, h("td", { colspan: 5, class: "muted" }, "No endpoints yet. Create one with the API or `flightdeck endpoints create`.")));
    } catch (e) {
      if (context.isCurrent()) showError(error, (e as Error).message);
    }
  }

  function row(endpoint: ServingEndpoint): HTMLTableRowElement {
    return h("tr", { "data-endpoint": endpoint.name },
      h("td", null, h("a", { href: `/endpoints/${encodeURIComponent(endpoint.name)}` }, endpoint.name)),
      h("td", null, stateBadge(endpoint.state)),
      h("td", null, trafficBars(endpoint.routes, true)),
      h("td", null, endpoint.rollout ? rolloutSummary(endpoint.rollout) : h("span", { class: "muted" }, "none")),
      h("td", null, formatTime(endpoint.last_updated_timestamp)));
  }

  await load();
  const timer = window.setInterval(() => void load(), REFRESH_MS);
  context.onLeave(() => window.clearInterval(timer));
}

/** One endpoint: traffic, rollout with guardrails, live charts, history, and the promote and rollback actions. */
export async function endpointPage(context: PageContext): Promise<void> {
  const name = context.params[0];
  let { endpoint } = await endpointsApi.get(name);
  let events = (await endpointsApi.history(name)).events ?? [];
  let traffic: VersionTraffic[] = (await trafficApi.get(name)).versions;
  if (!context.isCurrent()) return;
  document.title = `${endpoint.name} · Endpoints · Flightdeck`;

  const heading = h("h1", null);
  const error = errorBox(null);
  const trafficBox = h("div", { class: "traffic" });
  const rollout = h("div");
  const history = h("ol", { class: "timeline", "aria-label": "Deployment history" });
  const promote = h("button", { type: "button", class: "primary", onclick: () => void act("promote") }, "Promote");
  const rollback = h("button", { type: "button", class: "danger", onclick: () => void act("rollback") }, "Rollback");
  const charts = {
    throughput: new LiveChart("Throughput", "req/s"),
    errors: new LiveChart("Error rate", "%"),
    latency: new LiveChart("p99 latency", "ms"),
  };
  const status = h("p", { class: "muted small", "aria-live": "polite" });

  replace(context.root,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/endpoints" }, "Endpoints"), " / "),
    heading,
    endpoint.description ? h("p", null, endpoint.description) : null,
    error,
    h("section", { "aria-labelledby": "traffic-heading" }, h("h2", { id: "traffic-heading" }, "Traffic"), trafficBox),
    h("section", { "aria-labelledby": "rollout-heading" },
      h("h2", { id: "rollout-heading" }, "Rollout"),
      h("div", { class: "toolbar" }, promote, rollback),
      rollout),
    h("section", { "aria-labelledby": "live-heading" },
      h("h2", { id: "live-heading" }, "Live traffic"),
      h("p", { class: "muted small" }, "Per second and version over the last five minutes, as this server answered; refreshed every few seconds."),
      h("div", { class: "charts live" }, charts.throughput.element, charts.errors.element, charts.latency.element)),
    h("section", { "aria-labelledby": "history-heading" }, h("h2", { id: "history-heading" }, "Deployment history"), history),
    status);
  context.onLeave(() => Object.values(charts).forEach(c => c.destroy()));

  function draw(): void {
    replace(heading, endpoint.name, stateBadge(endpoint.state));
    replace(trafficBox, trafficBars(endpoint.routes, false));
    const active = endpoint.rollout?.status === "IN_PROGRESS";
    promote.disabled = !active;
    rollback.disabled = !active;
    replace(rollout, endpoint.rollout ? rolloutDetails(endpoint.rollout) : h("p", { class: "muted" }, "No rollout has run on this endpoint."));
    replace(history, events.length ? events.map(eventItem) : h("li", { class: "muted" }, "No events."));
    drawCharts();
    status.textContent = `Updated ${formatTime(Date.now())}; refreshes every ${REFRESH_MS / 1000} s.`;
    context.root.dataset.endpointState = endpoint.state;
  }

  function drawCharts(): void {
    // One x axis for all versions: every second any of them served, each version's value there or a gap.
    const times = [...new Set(traffic.flatMap(v => v.seconds))].sort((a, b) => a - b);
    const column = (pick: (v: VersionTraffic, i: number) => number) => traffic.map(v => {
      const at = new Map(v.seconds.map((second, i) => [second, pick(v, i)]));
      return { label: `v${v.version}`, values: times.map(t => at.get(t) ?? null) };
    });
    charts.throughput.update(times, column((v, i) => v.requests[i]));
    charts.errors.update(times, column((v, i) => v.requests[i] ? (v.errors[i] / v.requests[i]) * 100 : 0));
    charts.latency.update(times, column((v, i) => v.p99_latency_ms[i]));
  }

  async function refresh(): Promise<void> {
    try {
      const [current, log, live] = await Promise.all([endpointsApi.get(name), endpointsApi.history(name), trafficApi.get(name)]);
      if (!context.isCurrent()) return;
      traffic = live.versions;
      endpoint = current.endpoint;
      events = log.events ?? [];
      showError(error, null);
      draw();
    } catch (e) {
      if (context.isCurrent()) showError(error, (e as Error).message);
    }
  }

  async function act(action: "promote" | "rollback"): Promise<void> {
    const r = endpoint.rollout;
    if (!r) return;
    const opener = action === "promote" ? promote : rollback;
    const baseline = r.baseline_version ? `version ${r.baseline_version}` : "the previous version";
    const reason = await confirmDialog({
      title: action === "promote" ? `Promote version ${r.candidate_version}?` : `Roll back to ${baseline}?`,
      message: action === "promote"
        ? `Version ${r.candidate_version} of ${r.model_name} takes all of ${endpoint.name}'s traffic now, skipping the remaining steps and bake time.`
        : `All of ${endpoint.name}'s traffic goes back to ${baseline} now, and the rollout of version ${r.candidate_version} ends.`,
      confirm: action === "promote" ? "Promote" : "Roll back",
      danger: action === "rollback",
      opener,
    });
    if (reason === null || !context.isCurrent()) return;
    try {
      const result = action === "promote" ? await endpointsApi.promote(name, reason) : await endpointsApi.rollback(name, reason);
      endpoint = result.endpoint;
      draw();
      await refresh();
    } catch (e) {
      showError(error, (e as Error).message);
    }
  }

  draw();
  const timer = window.setInterval(() => void refresh(), REFRESH_MS);
  context.onLeave(() => window.clearInterval(timer));
}

function stateBadge(state: string): HTMLElement {
  return h("span", { class: `badge state state-${state.toLowerCase()}` }, state);
}

/** The routes as bars whose widths are their weights; shadow routes mirror traffic, so they are drawn apart. */
function trafficBars(routes: EndpointRoute[], compact: boolean): HTMLElement {
  return h("ul", { class: compact ? "bars compact" : "bars", "aria-label": "Traffic split" },
    routes.map(route => h("li", { "data-version": route.version, "data-role": route.role, "data-weight": route.weight },
      h("span", { class: "bar-label" }, `${route.model_name} v${route.version}`, " ", h("span", { class: "badge" }, route.role)),
      h("span", { class: "bar-track", "aria-hidden": "true" },
        h("span", { class: `bar-fill role-${route.role.toLowerCase()}`, style: `width: ${Math.max(0, Math.min(100, route.weight))}%` })),
      h("span", { class: "bar-value" }, `${route.weight}%`, route.role === "SHADOW" ? " mirrored" : ""))));
}

function rolloutSummary(r: Rollout): HTMLElement {
  const step = r.status === "IN_PROGRESS" ? ` · step ${r.current_step + 1} of ${r.steps.length}` : "";
  return h("span", null, h("span", { class: `status rollout-${r.status.toLowerCase()}` }, r.status.replace("_", " ")),
    ` ${r.strategy} v${r.candidate_version}${step}`);
}

function rolloutDetails(r: Rollout): HTMLElement {
  const active = r.status === "IN_PROGRESS";
  const bakeLeft = Math.max(0, Math.round((r.step_started_timestamp + r.bake_seconds * 1000 - Date.now()) / 1000));
  const limits = { ...GUARDRAIL_DEFAULTS, ...r.guardrails };
  const reading = r.last_reading;
  return h("div", { class: "rollout", "data-status": r.status },
    h("dl", { class: "facts" },
      h("dt", null, "Status"), h("dd", null, rolloutSummary(r)),
      h("dt", null, "Strategy"), h("dd", null, r.strategy),
      h("dt", null, "Candidate"), h("dd", null, `${r.model_name} v${r.candidate_version}`),
      h("dt", null, "Baseline"), h("dd", null, r.baseline_version ? `${r.baseline_model_name ?? r.model_name} v${r.baseline_version}` : "none"),
      h("dt", null, "Started"), h("dd", null, formatTime(r.started_timestamp)),
      h("dt", null, active ? "Bake time left" : "Finished"),
      h("dd", { class: "bake-left" }, active ? `${formatSeconds(bakeLeft)} of ${formatSeconds(r.bake_seconds)}` : formatTime(r.finished_timestamp)),
      r.reason ? [h("dt", null, "Reason"), h("dd", null, r.reason)] : null),
    h("h3", null, "Steps"),
    h("ol", { class: "steps", "aria-label": "Rollout steps" }, r.steps.map((percent, i) =>
      h("li", { class: i < r.current_step || !active ? "done" : i === r.current_step ? "current" : "", "aria-current": active && i === r.current_step ? "step" : null },
        `${percent}%`))),
    h("h3", null, "Guardrails"),
    h("table", { class: "grid compact-grid", "aria-label": "Guardrails" },
      h("thead", null, h("tr", null, ["Measure", "Limit", "Last reading"].map(t => h("th", { scope: "col" }, t)))),
      h("tbody", null,
        guardrailRow("Requests", `at least ${limits.min_requests}`, reading ? `${reading.requests} (baseline ${reading.baseline_requests})` : "—"),
        guardrailRow("Error rate", percent(limits.max_error_rate), reading ? `${percent(reading.error_rate)} (${reading.errors} errors)` : "—"),
        guardrailRow("p99 latency", limits.max_p99_latency_ms === undefined ? "no limit" : `${formatValue(limits.max_p99_latency_ms)} ms`,
          reading?.p99_latency_ms === undefined ? "—" : `${formatValue(reading.p99_latency_ms)} ms`),
        guardrailRow("Prediction PSI", formatValue(limits.max_prediction_psi), reading?.prediction_psi === undefined ? "—" : formatValue(reading.prediction_psi)))),
    reading ? h("p", { class: "muted small" }, `Last reading at ${formatTime(reading.timestamp)}.`) : null);
}

function guardrailRow(measure: string, limit: string, value: string): HTMLTableRowElement {
  return h("tr", null, h("th", { scope: "row" }, measure), h("td", null, limit), h("td", { class: "num" }, value));
}

function eventItem(event: EndpointEvent): HTMLLIElement {
  return h("li", { "data-type": event.type },
    h("time", { datetime: new Date(event.timestamp).toISOString() }, formatTime(event.timestamp)), " ",
    h("strong", null, event.type.replace(/_/g, " ").toLowerCase()), " ",
    h("span", { class: "muted" }, event.routes.map(r => `v${r.version} ${r.role} ${r.weight}%`).join(", ")),
    event.reason ? h("div", { class: "small" }, event.reason) : null);
}

function percent(value: number): string {
  return `${formatValue(Number((value * 100).toPrecision(4)))}%`;
}

function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
