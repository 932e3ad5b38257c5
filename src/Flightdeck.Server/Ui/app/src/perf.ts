/**
 * Marks the moment a page part became usable, for the UI benchmarks and tests: a performance mark, and the time since
 * navigation start (ms) on <html data-ready-NAME>, which a driver can wait for.
 */
export function markReady(name: string): void {
  performance.mark("flightdeck:" + name);
  document.documentElement.setAttribute("data-ready-" + name, String(Math.round(performance.now())));
}
