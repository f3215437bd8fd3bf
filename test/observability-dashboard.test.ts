// The provisioned Grafana dashboard and Prometheus' scrape config cannot drift from the code: every
// metric a panel queries is one a server registers, and every app service in docker compose is
// scraped.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseDocument } from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const DASHBOARDS = path.join(ROOT, 'deploy/observability/grafana/dashboards');
const SOURCES = ['shared/src', 'supergraph/src', 'subgraphs'];

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'generated', 'test'].includes(entry.name) ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });

/**
 * The metric names the code registers: the snake_case string literals of every module that
 * creates prom-client metrics (names are literals there, passed as `name:` or to a helper).
 */
function registeredMetrics(): Set<string> {
  const names = new Set<string>();
  for (const file of SOURCES.flatMap((dir) => sourceFiles(path.join(ROOT, dir)))) {
    const text = readFileSync(file, 'utf8');
    if (!/from 'prom-client'/.test(text)) continue;
    for (const [, name] of text.matchAll(/'([a-z]+(?:_[a-z0-9]+)+)'/g)) names.add(name!);
  }
  return names;
}

// PromQL words that are not metric names.
const PROMQL = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'rate',
  'irate',
  'increase',
  'histogram_quantile',
  'by',
  'without',
  'le',
]);

/** The metric names an expression reads (label matchers, groupings and ranges removed). */
function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .map(([word]) => word)
    .filter((word) => !PROMQL.has(word))
    .map((word) => word.replace(/_(bucket|count|sum)$/, ''));
}

interface Panel {
  type?: string;
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

const dashboards = readdirSync(DASHBOARDS)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({
    file,
    dashboard: JSON.parse(readFileSync(path.join(DASHBOARDS, file), 'utf8')) as {
      uid?: string;
      panels: Panel[];
    },
  }));

const panelsOf = (panels: Panel[]): Panel[] =>
  panels.flatMap((panel) => [panel, ...panelsOf(panel.panels ?? [])]);

describe('the provisioned dashboards', () => {
  it('when a panel queries a metric, then some server registers a metric of that name', () => {
    const registered = registeredMetrics();
    const unknown = dashboards.flatMap(({ file, dashboard }) =>
      panelsOf(dashboard.panels).flatMap((panel) =>
        (panel.targets ?? []).flatMap(({ expr }) =>
          metricsIn(expr ?? '')
            .filter((name) => !registered.has(name))
            .map((name) => `${file} "${panel.title}": ${name}`),
        ),
      ),
    );
    expect(dashboards.length).toBeGreaterThan(0);
    expect(unknown).toEqual([]);
  });

  it('when the metric names are read, then the ones the panels rely on are found (the scan works)', () => {
    const registered = registeredMetrics();
    for (const name of [
      'graphql_operation_duration_seconds',
      'subgraph_fetch_duration_seconds',
      'gateway_subscription_connections',
      'outbox_lag_seconds',
      'events_dead_letter_messages',
    ]) {
      expect(registered).toContain(name);
    }
    expect(metricsIn('sum by (service) (rate(event_retries_total{type="x"}[5m]))')).toEqual([
      'event_retries_total',
    ]);
  });

  it('when every dashboard is loaded, then each has its own uid and every graph panel a query', () => {
    const uids = dashboards.map(({ dashboard }) => dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
    const empty = dashboards.flatMap(({ file, dashboard }) =>
      panelsOf(dashboard.panels)
        .filter((panel) => panel.type !== 'row' && (panel.targets ?? []).length === 0)
        .map((panel) => `${file} "${panel.title}"`),
    );
    expect(empty).toEqual([]);
  });
});

describe("Prometheus' scrape config", () => {
  it('when docker compose runs an app service, then Prometheus scrapes it on the metrics port', () => {
    const compose = parseDocument(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), {
      merge: true,
    }).toJS() as {
      services: Record<string, { build?: unknown; environment?: Record<string, unknown> }>;
    };
    const prometheus = parse(
      readFileSync(path.join(ROOT, 'deploy/observability/prometheus/prometheus.yml'), 'utf8'),
    ) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
    const targets = prometheus.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((config) => config.targets),
    );
    const apps = Object.entries(compose.services).filter(([, service]) => service.build);

    expect(apps.length).toBeGreaterThan(0);
    for (const [name, service] of apps) {
      const port = String(service.environment?.METRICS_PORT);
      expect(targets).toContain(`${name}:${port}`);
    }
  });
});
