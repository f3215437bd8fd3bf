import { join } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { policyProblems } from './policies';
import { reachabilityProblems } from './reachability';
import { renderKustomization, type RenderedObject } from './render';
import { schemaProblems } from './schema';

const OVERLAYS = join(__dirname, '..', '..', '..', 'deploy', 'kubernetes', 'overlays');
const production = { production: true };

let rendered: RenderedObject[];
beforeAll(() => {
  rendered = renderKustomization(join(OVERLAYS, 'production'));
});

/** The production overlay with one change made to a copy of it. */
function changed(change: (objects: RenderedObject[]) => void): RenderedObject[] {
  const objects = structuredClone(rendered);
  change(objects);
  return objects;
}

const find = (objects: RenderedObject[], kind: string, name: string) =>
  objects.find((object) => object.kind === kind && object.metadata.name === name)!;
const gatewayPod = (objects: RenderedObject[]) =>
  (find(objects, 'Deployment', 'gateway') as unknown as IDeployment).spec!.template.spec!;

describe('check:deploy on the rendered overlays', () => {
  it.each(['development', 'production'])(
    'when the %s overlay is rendered, then every object fits its schema and every policy holds',
    (overlay) => {
      const objects = renderKustomization(join(OVERLAYS, overlay));
      expect(objects.filter((object) => object.kind === 'Deployment')).toHaveLength(7);
      expect(schemaProblems(objects)).toEqual([]);
      expect(policyProblems(objects, { production: overlay === 'production' })).toEqual([]);
      expect(reachabilityProblems(objects)).toEqual([]);
    },
  );

  it("when the gateway's readiness probe is removed, then the policy names the container", () => {
    const objects = changed((copy) => delete gatewayPod(copy).containers[0]!.readinessProbe);
    expect(policyProblems(objects, production)).toEqual([
      'Deployment/gateway container gateway: no readinessProbe',
    ]);
  });

  it("when the gateway's container loses its Node options, then the policy names them", () => {
    const objects = changed((copy) => {
      const container = gatewayPod(copy).containers[0]!;
      container.env = container.env!.filter((variable) => variable.name !== 'NODE_OPTIONS');
    });
    expect(policyProblems(objects, production)).toEqual([
      'Deployment/gateway container gateway: NODE_OPTIONS lacks --max-semi-space-size=32 (decision 0039)',
    ]);
  });

  it('when a container may write its root filesystem and keeps its capabilities, then both are named', () => {
    const objects = changed((copy) => {
      const container = gatewayPod(copy).containers[0]!;
      container.securityContext = { ...container.securityContext, readOnlyRootFilesystem: false };
      delete container.securityContext.capabilities;
    });
    expect(policyProblems(objects, production)).toEqual([
      'Deployment/gateway container gateway: readOnlyRootFilesystem is not true',
      'Deployment/gateway container gateway: capabilities do not drop ALL',
    ]);
  });

  it('when a migration Job runs as root without a memory limit, then both are named', () => {
    const objects = changed((copy) => {
      const pod = (find(copy, 'Job', 'gym-migrate') as unknown as IJob).spec!.template.spec!;
      pod.securityContext!.runAsUser = 0;
      pod.containers[0]!.securityContext!.runAsUser = 0;
      delete pod.containers[0]!.resources!.limits!.memory;
    });
    expect(policyProblems(objects, production)).toEqual([
      'Job/gym-migrate container migrate: runAsUser is not a non-root uid',
      'Job/gym-migrate container migrate: no memory limit',
    ]);
  });

  it('when a Deployment has no PodDisruptionBudget nor autoscaler, then both are named', () => {
    const objects = changed((copy) =>
      copy.splice(
        0,
        copy.length,
        ...copy.filter(
          (object) =>
            object.metadata.name !== 'squad' ||
            !['PodDisruptionBudget', 'HorizontalPodAutoscaler'].includes(object.kind),
        ),
      ),
    );
    expect(policyProblems(objects, production)).toEqual([
      'Deployment/squad: no PodDisruptionBudget selects its pods',
      'Deployment/squad: no HorizontalPodAutoscaler scales it',
    ]);
  });

  it('when a container reads a Secret or ConfigMap the overlay does not render, then it is named', () => {
    const development = renderKustomization(join(OVERLAYS, 'development'));
    const container = gatewayPod(development).containers[0]!;
    container.envFrom = [
      ...container.envFrom!,
      { secretRef: { name: 'fitnexa-shraed' } },
      { configMapRef: { name: 'gateway-setings' } },
    ];
    expect(policyProblems(development, { production: false })).toEqual([
      'Deployment/gateway container gateway: Secret fitnexa-shraed is not rendered',
      'Deployment/gateway container gateway: ConfigMap gateway-setings is not rendered',
    ]);
    // Production renders no Secret (the operator creates them): only the ConfigMap is missing.
    const objects = changed((copy) => {
      gatewayPod(copy).containers[0]!.envFrom!.push(
        { secretRef: { name: 'fitnexa-shraed' } },
        { configMapRef: { name: 'gateway-setings' } },
      );
    });
    expect(policyProblems(objects, production)).toEqual([
      'Deployment/gateway container gateway: ConfigMap gateway-setings is not rendered',
    ]);
  });

  it('when the default-deny NetworkPolicy is missing, then the check fails', () => {
    const objects = changed((copy) =>
      copy.splice(copy.indexOf(find(copy, 'NetworkPolicy', 'default-deny')), 1),
    );
    expect(policyProblems(objects, production)).toEqual([
      'no default-deny NetworkPolicy (all pods, Ingress and Egress)',
    ]);
  });

  it('when a production image is latest or has no tag, then it is named, and not in development', () => {
    const objects = changed((copy) => {
      gatewayPod(copy).containers[0]!.image = 'fitnexa/gateway:latest';
      const identity = find(copy, 'Deployment', 'identity') as unknown as IDeployment;
      identity.spec!.template.spec!.containers[0]!.image = 'fitnexa/identity';
    });
    expect(policyProblems(objects, production)).toEqual([
      'Deployment/gateway container gateway: image fitnexa/gateway:latest is latest',
      'Deployment/identity container identity: image fitnexa/identity has no tag (latest)',
    ]);
    expect(policyProblems(objects, { production: false })).toEqual([]);
  });

  it("when an object breaks Kubernetes' schema, then the schema check names it", () => {
    const objects = changed((copy) => {
      const pod = gatewayPod(copy);
      (pod as { terminationGracePeriodSeconds: unknown }).terminationGracePeriodSeconds = 'long';
      delete (pod.containers[0] as { name?: string }).name;
    });
    const problems = schemaProblems(objects);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Deployment\/gateway: /);
    expect(problems[0]).toContain('terminationGracePeriodSeconds must be integer');
    expect(problems[0]).toContain('containers/0 must have required property name');
  });

  it('when a NetworkPolicy lets every subgraph reach squad, then those that do not call it are named', () => {
    const objects = changed((copy) => {
      const policy = find(
        copy,
        'NetworkPolicy',
        'squad-from-messaging',
      ) as unknown as INetworkPolicy;
      policy.spec!.ingress![0]!.from = [
        { podSelector: { matchLabels: { 'app.kubernetes.io/component': 'subgraph' } } },
      ];
    });
    // Their egress is still closed except to identity: only gateway and messaging get through...
    expect(reachabilityProblems(objects)).toEqual([]);
    // ...until a wide egress rule opens it too.
    const wide = changed((copy) => {
      const policy = find(
        copy,
        'NetworkPolicy',
        'squad-from-messaging',
      ) as unknown as INetworkPolicy;
      policy.spec!.ingress![0]!.from = [
        { podSelector: { matchLabels: { 'app.kubernetes.io/component': 'subgraph' } } },
      ];
      const egress = find(
        copy,
        'NetworkPolicy',
        'redis-rabbitmq-egress',
      ) as unknown as INetworkPolicy;
      egress.spec!.egress![0]!.ports = undefined;
    });
    expect(reachabilityProblems(wide)).toEqual([
      'gym may reach squad:http, which it does not call',
      'identity may reach squad:http, which it does not call',
      'observability may reach squad:http, which it does not call',
      'workout may reach squad:http, which it does not call',
    ]);
  });

  it('when the egress from messaging to squad is removed, then the call messaging makes is named', () => {
    const objects = changed((copy) =>
      copy.splice(copy.indexOf(find(copy, 'NetworkPolicy', 'messaging-to-squad')), 1),
    );
    expect(reachabilityProblems(objects)).toEqual([
      'messaging cannot reach squad:http, which it calls',
    ]);
  });

  it('when the subgraphs take calls from every namespace, then each is named', () => {
    const objects = changed((copy) => {
      const policy = find(
        copy,
        'NetworkPolicy',
        'subgraphs-from-gateway',
      ) as unknown as INetworkPolicy;
      policy.spec!.ingress![0]!.from = [{ namespaceSelector: {} }];
    });
    expect(reachabilityProblems(objects)).toEqual(
      ['gym', 'identity', 'messaging', 'observability', 'squad', 'workout'].flatMap((name) => [
        `${name}:http is reachable from namespace ingress-nginx`,
        `${name}:http is reachable from any namespace`,
      ]),
    );
  });
});
