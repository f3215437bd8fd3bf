import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { GATEWAY_NODE_ARGS } from '../gateway-runtime';
import { nameOf, type RenderedObject } from './render';
import { selects } from './selectors';

export interface PolicyOptions {
  /** Production: every image names a fixed version (no `latest`, no missing tag). */
  production: boolean;
}

const HEALTH_PATHS = {
  startupProbe: '/health/live',
  readinessProbe: '/health/ready',
  livenessProbe: '/health/live',
} as const;

const ofKind = <T>(objects: RenderedObject[], kind: string) =>
  objects.filter((object) => object.kind === kind) as unknown as (T & RenderedObject)[];

/** Non-root, read-only root filesystem, no privileges or capabilities, a writable /tmp. */
function securityProblems(where: string, pod: IPodSpec, container: IContainer): string[] {
  const problems: string[] = [];
  const context = container.securityContext ?? {};
  const podContext = pod.securityContext ?? {};
  const runAsUser = context.runAsUser ?? podContext.runAsUser;
  if (!(context.runAsNonRoot ?? podContext.runAsNonRoot)) problems.push('runAsNonRoot is not true');
  if (runAsUser === undefined || runAsUser === 0) problems.push('runAsUser is not a non-root uid');
  if (context.readOnlyRootFilesystem !== true) problems.push('readOnlyRootFilesystem is not true');
  if (context.allowPrivilegeEscalation !== false) {
    problems.push('allowPrivilegeEscalation is not false');
  }
  if (context.privileged) problems.push('privileged');
  if (!context.capabilities?.drop?.includes('ALL')) problems.push('capabilities do not drop ALL');
  if (context.capabilities?.add?.length) problems.push('capabilities are added');
  const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
    problems.push('no seccomp profile (RuntimeDefault)');
  }
  const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
  const tmpVolume = pod.volumes?.find((volume) => volume.name === tmp?.name);
  if (!tmpVolume?.emptyDir) problems.push('no emptyDir mounted at /tmp');
  return problems.map((problem) => `${where}: ${problem}`);
}

function resourceProblems(where: string, container: IContainer): string[] {
  const { requests = {}, limits = {} } = container.resources ?? {};
  return (['cpu', 'memory'] as const).flatMap((resource) => [
    ...(requests[resource] === undefined ? [`${where}: no ${resource} request`] : []),
    ...(limits[resource] === undefined ? [`${where}: no ${resource} limit`] : []),
  ]);
}

function imageProblems(where: string, container: IContainer, options: PolicyOptions): string[] {
  if (!options.production) return [];
  const image = container.image ?? '';
  if (image.includes('@')) return [];
  const tag = /:([^:/]+)$/.exec(image)?.[1];
  if (!tag) return [`${where}: image ${image} has no tag (latest)`];
  return tag === 'latest' ? [`${where}: image ${image} is latest`] : [];
}

/** The ConfigMaps and Secrets a container reads its environment from, and the pod mounts. */
function referenceProblems(
  where: string,
  pod: IPodSpec,
  container: IContainer,
  rendered: { ConfigMap: Set<string>; Secret?: Set<string> },
): string[] {
  const references = [
    ...(container.envFrom ?? []).flatMap(({ configMapRef, secretRef }) => [
      ...(configMapRef ? [['ConfigMap', configMapRef.name] as const] : []),
      ...(secretRef ? [['Secret', secretRef.name] as const] : []),
    ]),
    ...(container.env ?? []).flatMap(({ valueFrom }) => [
      ...(valueFrom?.configMapKeyRef
        ? [['ConfigMap', valueFrom.configMapKeyRef.name] as const]
        : []),
      ...(valueFrom?.secretKeyRef ? [['Secret', valueFrom.secretKeyRef.name] as const] : []),
    ]),
    ...(pod.volumes ?? []).flatMap(({ configMap }) =>
      configMap ? [['ConfigMap', configMap.name] as const] : [],
    ),
  ];
  return references
    .filter(([kind, name]) => rendered[kind] && !rendered[kind].has(name ?? ''))
    .map(([kind, name]) => `${where}: ${kind} ${name} is not rendered`);
}

function podProblems(
  owner: string,
  pod: IPodSpec | undefined,
  options: PolicyOptions,
  rendered: { ConfigMap: Set<string>; Secret?: Set<string> },
) {
  if (!pod) return [`${owner}: no pod template`];
  return [...(pod.initContainers ?? []), ...pod.containers].flatMap((container) => {
    const where = `${owner} container ${container.name}`;
    return [
      ...securityProblems(where, pod, container),
      ...resourceProblems(where, container),
      ...imageProblems(where, container, options),
      ...referenceProblems(where, pod, container, rendered),
    ];
  });
}

/**
 * The gateway's container runs with the Node options it is benchmarked with (an overlay may add
 * its own to them).
 */
function gatewayRuntimeProblems(owner: string, pod: IPodSpec): string[] {
  const gateway = pod.containers.find((container) => container.name === 'gateway');
  const value = gateway?.env?.find((variable) => variable.name === 'NODE_OPTIONS')?.value ?? '';
  const given = new Set(value.split(/\s+/));
  return GATEWAY_NODE_ARGS.filter((option) => !given.has(option)).map(
    (option) => `${owner} container gateway: NODE_OPTIONS lacks ${option} (decision 0039)`,
  );
}

/** Probes on the health routes, and a preStop pause shorter than the grace period. */
function servingProblems(owner: string, pod: IPodSpec): string[] {
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  return pod.containers.flatMap((container) => {
    const where = `${owner} container ${container.name}`;
    const probes = Object.entries(HEALTH_PATHS).flatMap(([probe, path]) => {
      const httpGet = container[probe as keyof typeof HEALTH_PATHS]?.httpGet;
      if (!httpGet) return [`${where}: no ${probe}`];
      return httpGet.path === path ? [] : [`${where}: ${probe} is not on ${path}`];
    });
    const pause = container.lifecycle?.preStop?.sleep?.seconds;
    const preStop =
      pause === undefined
        ? [`${where}: no preStop sleep (endpoints must drop before SIGTERM)`]
        : pause >= grace
          ? [`${where}: preStop sleep ${pause}s leaves no time to drain (grace ${grace}s)`]
          : [];
    return [...probes, ...preStop];
  });
}

/**
 * The deployment policies (docs/kubernetes.md) over one rendered overlay; each problem names its
 * object. Every container: resources, a non-root read-only security context without capabilities;
 * every ConfigMap it reads is rendered, and every Secret when the overlay renders Secrets;
 * every server (Deployment): startup, readiness and liveness probes on the health routes, a
 * preStop pause, a PodDisruptionBudget and a HorizontalPodAutoscaler; the namespace: a default-deny
 * NetworkPolicy; production: no `latest` images.
 */
export function policyProblems(objects: RenderedObject[], options: PolicyOptions): string[] {
  const deployments = ofKind<IDeployment>(objects, 'Deployment');
  const jobs = ofKind<IJob>(objects, 'Job');
  const budgets = ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget');
  const autoscalers = ofKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler');
  const networkPolicies = ofKind<INetworkPolicy>(objects, 'NetworkPolicy');
  const names = (kind: string) =>
    new Set(ofKind<object>(objects, kind).map((o) => o.metadata.name));
  // An overlay that renders no Secret leaves them all to the operator (production); one that
  // renders some (development) must render every one it reads.
  const secrets = names('Secret');
  const rendered = { ConfigMap: names('ConfigMap'), ...(secrets.size ? { Secret: secrets } : {}) };

  const problems = [
    ...deployments.flatMap((deployment) => {
      const owner = nameOf(deployment);
      const template = deployment.spec?.template;
      const labels = template?.metadata?.labels ?? {};
      return [
        ...podProblems(owner, template?.spec, options, rendered),
        ...(template?.spec ? servingProblems(owner, template.spec) : []),
        ...(template?.spec && deployment.metadata.name === 'gateway'
          ? gatewayRuntimeProblems(owner, template.spec)
          : []),
        ...(budgets.some((budget) => selects(budget.spec?.selector, labels))
          ? []
          : [`${owner}: no PodDisruptionBudget selects its pods`]),
        ...(autoscalers.some(
          ({ spec }) =>
            spec?.scaleTargetRef.kind === 'Deployment' &&
            spec.scaleTargetRef.name === deployment.metadata.name,
        )
          ? []
          : [`${owner}: no HorizontalPodAutoscaler scales it`]),
      ];
    }),
    ...jobs.flatMap((job) => podProblems(nameOf(job), job.spec?.template.spec, options, rendered)),
  ];

  const defaultDeny = networkPolicies.some(
    ({ spec }) =>
      spec &&
      Object.keys(spec.podSelector).length === 0 &&
      spec.policyTypes?.includes('Ingress') &&
      spec.policyTypes.includes('Egress') &&
      !spec.ingress?.length &&
      !spec.egress?.length,
  );
  if (!defaultDeny) problems.push('no default-deny NetworkPolicy (all pods, Ingress and Egress)');
  if (!deployments.length) problems.push('no Deployment rendered');
  return problems;
}
