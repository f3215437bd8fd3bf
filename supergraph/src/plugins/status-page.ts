import { Router } from 'express';
import type { ReadinessReport } from '../health';

/** Where a browser finds the status page. */
export const STATUS_PATH = '/status';
/** What the page polls: the graph's status as JSON (names, up or down, latency; nothing else). */
export const STATUS_REPORT_PATH = `${STATUS_PATH}/report.json`;
/** How often (ms) the page asks again. */
export const STATUS_REFRESH_MS = 2_000;

type Status = 'up' | 'down';

export interface SubgraphStatus {
  name: string;
  status: Status;
  latencyMs: number;
  /** The subgraph's own dependencies that are down and keep it from serving (database, …). */
  failing: string[];
  /** Its dependencies that are down while it still serves (cache, events, revocations, …). */
  degraded: string[];
}

export interface DependencyStatus {
  name: string;
  status: Status;
  latencyMs: number;
}

export interface GraphStatus {
  /** down: a subgraph is; degraded: a dependency is (the graph still answers); else up. */
  status: 'up' | 'degraded' | 'down';
  checkedAt: string;
  subgraphs: SubgraphStatus[];
  /** The gateway's own dependencies (the revocation store, its cache). */
  gateway: DependencyStatus[];
}

/**
 * What the page shows of a readiness report: names, up or down and latency. Error messages stay
 * out (they can name internal hosts and ports); `/health/ready` keeps them for operators.
 */
export function graphStatusOf(report: ReadinessReport, subgraphNames: string[]): GraphStatus {
  const subgraphs = subgraphNames.map((name): SubgraphStatus => {
    const check = report.checks[name];
    return {
      name,
      status: check?.status ?? 'down',
      latencyMs: check?.latencyMs ?? 0,
      failing: check?.dependencies?.notReady ?? [],
      degraded: check?.dependencies?.degraded ?? [],
    };
  });
  const gateway = Object.entries(report.checks)
    .filter(([name]) => !subgraphNames.includes(name))
    .map(([name, check]) => ({ name, status: check.status, latencyMs: check.latencyMs }));
  const degraded =
    gateway.some((dependency) => dependency.status !== 'up') ||
    subgraphs.some((subgraph) => subgraph.degraded.length > 0);
  return {
    status: !report.ready ? 'down' : degraded ? 'degraded' : 'up',
    checkedAt: new Date().toISOString(),
    subgraphs,
    gateway,
  };
}

// Polls the report and redraws the tables (textContent only: nothing from the report is markup).
// A file of its own rather than inline, so a CSP of 'self' allows it.
const statusScript = `'use strict';
(function () {
  var labels = { up: 'All services up', degraded: 'Up, with degraded dependencies', down: 'Down: a subgraph does not answer' };
  function cell(row, text) {
    var td = document.createElement('td');
    td.textContent = text;
    row.appendChild(td);
    return td;
  }
  function fill(id, items, columns) {
    var body = document.querySelector('#' + id + ' tbody');
    body.replaceChildren();
    items.forEach(function (item) {
      var row = document.createElement('tr');
      row.dataset.name = item.name;
      row.dataset.status = item.status;
      cell(row, item.name);
      cell(row, item.status).className = 'status ' + item.status;
      cell(row, item.latencyMs + ' ms');
      columns.forEach(function (column) { cell(row, item[column].join(', ') || '–'); });
      body.appendChild(row);
    });
  }
  function show(status, text) {
    var overall = document.getElementById('overall');
    overall.dataset.status = status;
    overall.className = 'status ' + status;
    overall.textContent = text;
  }
  function refresh() {
    fetch(${JSON.stringify(STATUS_REPORT_PATH)}, { cache: 'no-store' })
      .then(function (response) { return response.json(); })
      .then(function (report) {
        show(report.status, labels[report.status]);
        fill('subgraphs', report.subgraphs, ['failing', 'degraded']);
        fill('gateway', report.gateway, []);
        document.getElementById('checked').textContent =
          'Checked at ' + new Date(report.checkedAt).toLocaleTimeString() + ', again every ${STATUS_REFRESH_MS / 1000} s.';
      })
      .catch(function () {
        show('down', 'The gateway does not answer');
      })
      .finally(function () { setTimeout(refresh, ${STATUS_REFRESH_MS}); });
  }
  refresh();
})();
`;

const statusStyle = `body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 56rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2rem; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #ddd; }
.status { font-weight: 600; }
.up { color: #17702f; }
.degraded { color: #9a6700; }
.down { color: #b42318; }
#overall { font-size: 1.25rem; }
#checked { color: #666; }
`;

const statusHtml = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>FitNexa status</title>
    <link rel="stylesheet" href="${STATUS_PATH}/status.css" />
  </head>
  <body>
    <h1>FitNexa status</h1>
    <p id="overall" class="status">Checking…</p>
    <p id="checked"></p>
    <noscript>This page refreshes with JavaScript; without it, read ${STATUS_REPORT_PATH}.</noscript>
    <h2>Subgraphs</h2>
    <table id="subgraphs">
      <thead><tr><th>Subgraph</th><th>Status</th><th>Latency</th><th>Failing</th><th>Degraded dependencies</th></tr></thead>
      <tbody></tbody>
    </table>
    <h2>Gateway dependencies</h2>
    <table id="gateway">
      <thead><tr><th>Dependency</th><th>Status</th><th>Latency</th></tr></thead>
      <tbody></tbody>
    </table>
    <script src="${STATUS_PATH}/status.js"></script>
  </body>
</html>
`;

/**
 * The status page at /status: every subgraph's readiness and latency and the dependencies that are
 * degraded, redrawn every STATUS_REFRESH_MS from a JSON report. Plain HTML and a small script, all
 * served by the gateway. Disabled: no routes at all (404, as any unknown path), nothing to mount.
 */
export function statusPage(options: {
  enabled: boolean;
  readiness: () => Promise<ReadinessReport>;
  subgraphNames: string[];
}): Router | undefined {
  if (!options.enabled) return undefined;
  const routes = Router();
  const noCache = { 'cache-control': 'no-cache' };
  routes.get(STATUS_PATH, (_req, res) => {
    res.set(noCache).type('html').send(statusHtml);
  });
  routes.get(`${STATUS_PATH}/status.js`, (_req, res) => {
    res.set(noCache).type('js').send(statusScript);
  });
  routes.get(`${STATUS_PATH}/status.css`, (_req, res) => {
    res.set(noCache).type('css').send(statusStyle);
  });
  routes.get(STATUS_REPORT_PATH, async (_req, res) => {
    const report = await options.readiness();
    res.set('cache-control', 'no-store').json(graphStatusOf(report, options.subgraphNames));
  });
  return routes;
}
