import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGymConfig } from '@fitnexa/gym';
import { loadIdentityConfig } from '@fitnexa/identity';
import { loadMessagingConfig } from '@fitnexa/messaging';
import { loadObservabilityConfig } from '@fitnexa/observability';
import { loadSquadConfig } from '@fitnexa/squad';
import { loadGatewayConfig } from '@fitnexa/supergraph';
import { loadWorkoutConfig } from '@fitnexa/workout';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { containerEnvironment } from './environment';
import { renderKustomization } from './render';

const OVERLAYS = join(__dirname, '..', '..', '..', 'deploy', 'kubernetes', 'overlays');

const loaders: Record<string, (env: Record<string, string>) => object> = {
  gateway: loadGatewayConfig,
  identity: loadIdentityConfig,
  gym: loadGymConfig,
  workout: loadWorkoutConfig,
  squad: loadSquadConfig,
  messaging: loadMessagingConfig,
  observability: loadObservabilityConfig,
};

describe("the development overlay's environment", () => {
  // Every Secret is rendered there, with NODE_ENV=production as in production: the config
  // schemas' production rules (no development secrets, role passwords set) apply.
  const objects = renderKustomization(join(OVERLAYS, 'development'));
  const pods = objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .map((o) => {
      const template = (o.spec as { template: { metadata: { labels: Record<string, string> } } })
        .template as { metadata: { labels: Record<string, string> }; spec: IPodSpec };
      return { kind: o.kind, name: template.metadata.labels['app.kubernetes.io/name']!, template };
    });

  it('has a Deployment for every server and a Job for every one with a database', () => {
    expect(pods.map(({ kind, name }) => `${kind} ${name}`).sort()).toEqual(
      [
        ...Object.keys(loaders).map((name) => `Deployment ${name}`),
        ...['identity', 'gym', 'workout', 'squad', 'messaging'].map((name) => `Job ${name}`),
      ].sort(),
    );
  });

  it.each(pods.map((pod) => [`${pod.kind} ${pod.name}`, pod] as const))(
    "when %s starts, then its server's config accepts the environment it gets",
    (_, { kind, name, template }) => {
      const env = containerEnvironment(objects, template.spec.containers[0]!);
      expect(env).toBeDefined();
      const config = loaders[name]!(env!) as Record<string, unknown>;
      expect(config.NODE_ENV).toBe('production');
      expect(config.HOST).toBe('0.0.0.0');
      expect(config.RABBITMQ_URL).toMatch(/^amqp:\/\//);
      if (typeof config.DATABASE_URL === 'string') {
        // A server connects as its own role; its migration Job as the user that may create it.
        const user = new URL(config.DATABASE_URL).username;
        expect(user).toBe(kind === 'Job' ? 'fitnexa' : `fitnexa_${name}`);
      }
    },
  );

  it('when the gateway starts, then it reads the mounted supergraph and reaches every subgraph by its Service', () => {
    const gateway = pods.find((pod) => pod.name === 'gateway')!;
    const config = loadGatewayConfig(
      containerEnvironment(objects, gateway.template.spec.containers[0]!)!,
    );
    const mount = gateway.template.spec.containers[0]!.volumeMounts!.find(
      (m) => m.name === 'supergraph',
    )!;
    expect(config.SUPERGRAPH_PATH).toBe(`${mount.mountPath}/supergraph.graphql`);
    expect(config.subgraphUrls).toEqual({
      identity: 'http://identity:4001/graphql',
      gym: 'http://gym:4002/graphql',
      workout: 'http://workout:4003/graphql',
      squad: 'http://squad:4004/graphql',
      messaging: 'http://messaging:4005/graphql',
      observability: 'http://observability:4006/graphql',
    });
    const supergraph = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'supergraph',
    );
    expect((supergraph?.data as Record<string, string>)['supergraph.graphql']).toBe(
      readFileSync(join(__dirname, '..', '..', '..', 'schema', 'supergraph.graphql'), 'utf8'),
    );
    expect(config.explorer).toBe(true);
    expect(config.TRUST_PROXY).toBe(1);
  });

  it('when a Secret holds a bad value, then the config refuses it (the check has teeth)', () => {
    const identity = pods.find((pod) => pod.kind === 'Deployment' && pod.name === 'identity')!;
    const env = containerEnvironment(objects, identity.template.spec.containers[0]!)!;
    expect(() => loadIdentityConfig({ ...env, SIGNING_KEY_ENCRYPTION_KEY: 'short' })).toThrow(
      /SIGNING_KEY_ENCRYPTION_KEY/,
    );
    expect(() => loadIdentityConfig({ ...env, DATABASE_ROLE_PASSWORD: '' })).toThrow(
      /DATABASE_ROLE_PASSWORD is required in production/,
    );
  });
});
