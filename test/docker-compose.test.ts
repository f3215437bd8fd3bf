// No Docker engine runs on the development and CI machines, so `docker compose config` cannot
// validate docker-compose.yml here. These tests check what compose would reject or what would
// only break at `docker compose up`: references between services, volumes, ports, build inputs,
// and that the compose file stays in step with the workspaces and rover.yaml.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseDocument } from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

interface Service {
  image?: string;
  build?:
    string | { context?: string; dockerfile?: string; args?: Record<string, string> | string[] };
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: (
    string | number | { published?: string | number; host_ip?: string; protocol?: string }
  )[];
  volumes?: (string | { type?: string; source?: string })[];
  environment?: Record<string, string | number | boolean | null> | string[];
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function readCompose(): { text: string; compose: Compose } {
  const text = readFileSync(COMPOSE_FILE, 'utf8');
  // Compose resolves YAML merge keys (`<<: *anchor`); YAML 1.2 parsers only do when asked.
  const doc = parseDocument(text, { merge: true });
  if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('\n'));
  return { text, compose: doc.toJS() as Compose };
}

/** Compose's `${VAR:-default}` / `${VAR-default}` / `${VAR}` / `$$`, resolved with defaults only. */
function withDefaults(value: string): string {
  return value
    .replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g,
      (_m, _name: string, fallback?: string) => fallback ?? '',
    )
    .replace(/\$\$/g, '$');
}

function dependencies(service: Service): Record<string, { condition?: string }> {
  const deps = service.depends_on ?? {};
  return Array.isArray(deps) ? Object.fromEntries(deps.map((name) => [name, {}])) : deps;
}

/** A compose mapping given as a map or as a `KEY=value` list, values resolved with defaults. */
function keyValues(
  entries: Record<string, unknown> | string[] | undefined,
): Record<string, string> {
  const pairs = Array.isArray(entries)
    ? entries.map((entry) => [entry.split('=')[0], entry.split('=').slice(1).join('=')])
    : Object.entries(entries ?? {}).map(([key, value]) => [key, String(value ?? '')]);
  return Object.fromEntries(pairs.map(([key, value]) => [key, withDefaults(value)]));
}

function environment(service: Service): Record<string, string> {
  return keyValues(service.environment);
}

function buildArgs(service: Service): Record<string, string> {
  return typeof service.build === 'object' ? keyValues(service.build.args) : {};
}

/** The build context and Dockerfile as absolute paths, with compose's defaults (`.`, `Dockerfile`). */
function buildPaths(service: Service): { context: string; dockerfile: string } | undefined {
  if (service.build === undefined) return undefined;
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  const context = path.resolve(ROOT, withDefaults(build.context ?? '.'));
  return {
    context,
    dockerfile: path.resolve(context, withDefaults(build.dockerfile ?? 'Dockerfile')),
  };
}

/** Host side of each published port, as `ip:port/protocol`; container-only ports publish nothing fixed. */
function publishedPorts(service: Service): string[] {
  return (service.ports ?? []).flatMap((port) => {
    if (typeof port === 'object') {
      if (port.published === undefined) return [];
      return [
        `${port.host_ip ?? '0.0.0.0'}:${withDefaults(String(port.published))}/${port.protocol ?? 'tcp'}`,
      ];
    }
    const [spec, protocol = 'tcp'] = withDefaults(String(port)).split('/');
    const parts = spec.split(':');
    if (parts.length < 2) return [];
    const hostPort = parts[parts.length - 2];
    const hostIp = parts.length > 2 ? parts.slice(0, -2).join(':') : '0.0.0.0';
    return [`${hostIp}:${hostPort}/${protocol}`];
  });
}

/** Named volumes a service mounts (bind mounts start with `.`, `/` or `~`). */
function namedVolumes(service: Service): string[] {
  return (service.volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'object')
      return volume.type === 'volume' && volume.source ? [volume.source] : [];
    const source = volume.split(':')[0];
    return volume.includes(':') && !/^[./~]/.test(source) ? [source] : [];
  });
}

/** Workspace folders from the root package.json's `workspaces` (plain paths and `dir/*` globs). */
function workspaceDirs(): string[] {
  const root = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    workspaces?: string[];
  };
  return (root.workspaces ?? []).flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    if (!existsSync(path.join(ROOT, parent))) return [];
    return readdirSync(path.join(ROOT, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
}

function packageName(dir: string): string | undefined {
  const manifest = path.join(ROOT, dir, 'package.json');
  return existsSync(manifest)
    ? (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name
    : undefined;
}

function appServices(compose: Compose): [string, Service][] {
  return Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
}

function roverSubgraphs(): Record<string, { routing_url?: string }> {
  const rover = parse(readFileSync(path.join(ROOT, 'rover.yaml'), 'utf8')) as {
    subgraphs?: Record<string, { routing_url?: string }>;
  };
  return rover.subgraphs ?? {};
}

function gatewayService(compose: Compose): [string, Service] {
  const gateway = appServices(compose).find(
    ([, service]) => buildArgs(service).WORKSPACE === '@fitnexa/supergraph',
  );
  if (!gateway) throw new Error('no service builds @fitnexa/supergraph');
  return gateway;
}

describe('docker-compose.yml', () => {
  it('parses as YAML into a map of services', () => {
    const { compose } = readCompose();
    expect(typeof compose).toBe('object');
    expect(Object.keys(compose.services ?? {}).length).toBeGreaterThan(0);
  });

  it('gives every variable a default, so `docker compose up` works with no .env file', () => {
    const { text } = readCompose();
    const bare = [...text.matchAll(/(?<!\$)\$\{([^}]*)\}/g)]
      .map((m) => m[1])
      .filter((ref) => !/^[A-Za-z_][A-Za-z0-9_]*:?-/.test(ref));
    expect(bare).toEqual([]);
  });

  it('pulls an image or builds from an existing context and Dockerfile for every service', () => {
    const { compose } = readCompose();
    const problems = Object.entries(compose.services).flatMap(([name, service]) => {
      const paths = buildPaths(service);
      if (!paths) return service.image ? [] : [`${name}: neither image nor build`];
      return [
        ...(existsSync(paths.context)
          ? []
          : [`${name}: build context ${paths.context} does not exist`]),
        ...(existsSync(paths.dockerfile)
          ? []
          : [`${name}: Dockerfile ${paths.dockerfile} does not exist`]),
      ];
    });
    expect(problems).toEqual([]);
  });

  it('only depends on defined services, and waits for health only on services that report it', () => {
    const { compose } = readCompose();
    const problems = Object.entries(compose.services).flatMap(([name, service]) =>
      Object.entries(dependencies(service)).flatMap(([dep, { condition }]) => {
        const target = compose.services[dep];
        if (!target) return [`${name} depends on undefined service ${dep}`];
        if (condition === 'service_healthy' && !target.healthcheck?.test)
          return [`${name} waits for ${dep} to be healthy, but ${dep} has no healthcheck`];
        return [];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('runs a command in every healthcheck', () => {
    const { compose } = readCompose();
    const problems = Object.entries(compose.services).flatMap(([name, { healthcheck }]) => {
      if (!healthcheck || healthcheck.disable) return [];
      const test = healthcheck.test;
      const ok =
        typeof test === 'string'
          ? test.trim() !== ''
          : Array.isArray(test) && ['CMD', 'CMD-SHELL'].includes(test[0]) && test.length > 1;
      return ok ? [] : [`${name}: healthcheck without a test command (${JSON.stringify(test)})`];
    });
    expect(problems).toEqual([]);
  });

  it('gives every app service a healthcheck, so dependants can wait until it is ready', () => {
    const { compose } = readCompose();
    const missing = appServices(compose)
      .filter(([, service]) => !service.healthcheck?.test)
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('declares every named volume a service mounts', () => {
    const { compose } = readCompose();
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    const undeclared = Object.entries(compose.services).flatMap(([name, service]) =>
      namedVolumes(service)
        .filter((volume) => !declared.has(volume))
        .map((volume) => `${name}: ${volume}`),
    );
    expect(undeclared).toEqual([]);
  });

  it('publishes each host port from one service only', () => {
    const { compose } = readCompose();
    const owners = new Map<string, string[]>();
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of publishedPorts(service))
        owners.set(port, [...(owners.get(port) ?? []), name]);
    }
    const clashes = [...owners]
      .filter(([, names]) => names.length > 1)
      .map(([port, names]) => `${port}: ${names.join(', ')}`);
    expect(clashes).toEqual([]);
  });

  it('builds every app service from a real workspace of the root package.json', () => {
    const { compose } = readCompose();
    const workspaces = workspaceDirs();
    const problems = appServices(compose).flatMap(([name, service]) => {
      const { WORKSPACE, SERVICE_DIR } = buildArgs(service);
      if (!WORKSPACE || !SERVICE_DIR)
        return [`${name}: build args WORKSPACE and SERVICE_DIR are required`];
      if (!workspaces.includes(SERVICE_DIR))
        return [
          `${name}: SERVICE_DIR ${SERVICE_DIR} is not a workspace (${workspaces.join(', ')})`,
        ];
      const actual = packageName(SERVICE_DIR);
      return actual === WORKSPACE
        ? []
        : [`${name}: ${SERVICE_DIR}/package.json is named ${actual}, not ${WORKSPACE}`];
    });
    expect(problems).toEqual([]);
  });

  it('starts every app service from its workspace src/main.ts', () => {
    const { compose } = readCompose();
    const missing = appServices(compose)
      .map(([name, service]) => [name, buildArgs(service).SERVICE_DIR ?? '?'])
      .filter(([, dir]) => !existsSync(path.join(ROOT, dir, 'src', 'main.ts')))
      .map(([name, dir]) => `${name}: ${dir}/src/main.ts`);
    expect(missing).toEqual([]);
  });

  it('tags every app image fitnexa/<service>:<tag>, the names the Kubernetes manifests use', () => {
    const { compose } = readCompose();
    const problems = appServices(compose)
      .filter(
        ([name, service]) => !withDefaults(service.image ?? '').startsWith(`fitnexa/${name}:`),
      )
      .map(([name, service]) => `${name}: image ${service.image ?? '(none)'}`);
    expect(problems).toEqual([]);
  });

  it("builds every app image with the port its service listens on, which the image's HEALTHCHECK asks", () => {
    const { compose } = readCompose();
    const problems = appServices(compose).flatMap(([name, service]) => {
      const built = buildArgs(service).PORT;
      const listens = environment(service).PORT;
      return built === listens ? [] : [`${name}: build arg PORT ${built}, PORT ${listens}`];
    });
    expect(problems).toEqual([]);
  });

  it('passes only build args the Dockerfile declares', () => {
    const { compose } = readCompose();
    const problems = appServices(compose).flatMap(([name, service]) => {
      const dockerfile = buildPaths(service)?.dockerfile;
      if (!dockerfile || !existsSync(dockerfile)) return [];
      const declared = new Set(
        [...readFileSync(dockerfile, 'utf8').matchAll(/^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)/gm)].map(
          (m) => m[1],
        ),
      );
      return Object.keys(buildArgs(service))
        .filter((arg) => !declared.has(arg))
        .map((arg) => `${name}: ${arg} is not an ARG of ${path.relative(ROOT, dockerfile)}`);
    });
    expect(problems).toEqual([]);
  });

  it('runs every subgraph of rover.yaml as a service of the same name', () => {
    const { compose } = readCompose();
    const missing = Object.keys(roverSubgraphs()).filter((name) => !compose.services[name]);
    expect(missing).toEqual([]);
  });

  it('routes the gateway to every subgraph service on the port rover.yaml names, once it is healthy', () => {
    const { compose } = readCompose();
    const [gatewayName, gateway] = gatewayService(compose);
    const gatewayEnv = environment(gateway);
    const problems = Object.entries(roverSubgraphs()).flatMap(([name, { routing_url }]) => {
      const service = compose.services[name];
      if (!service) return []; // reported by the test above
      const port = environment(service).PORT;
      const roverPort = routing_url ? new URL(routing_url).port : undefined;
      const variable = `SUBGRAPH_URL_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
      const expected = `http://${name}:${port}/graphql`;
      return [
        ...(roverPort && port !== roverPort
          ? [`${name}: PORT ${port} but rover.yaml routes to port ${roverPort}`]
          : []),
        ...(gatewayEnv[variable] === expected
          ? []
          : [`${gatewayName}: ${variable} is ${gatewayEnv[variable]}, expected ${expected}`]),
        ...(dependencies(gateway)[name]?.condition === 'service_healthy'
          ? []
          : [`${gatewayName} does not wait for ${name} to be healthy`]),
      ];
    });
    expect(problems).toEqual([]);
  });
});
