import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { connectionAllowed, type PodAddress, type PodPort } from './network';
import type { RenderedObject } from './render';

/**
 * Which servers call a server's `http` port, as the code does: the gateway every subgraph (GraphQL,
 * readiness, socket.io forwarding), messaging squad (SQUAD_URL), every server but identity
 * identity's JWKS (JWKS_URL). The gateway is called from the ingress controller only. A new server
 * or a new call between servers belongs here and in base/network-policies.yaml.
 */
export const CALLERS: Record<string, readonly string[]> = {
  gateway: [],
  identity: ['gateway', 'gym', 'workout', 'squad', 'messaging', 'observability'],
  gym: ['gateway'],
  workout: ['gateway'],
  squad: ['gateway', 'messaging'],
  messaging: ['gateway'],
  observability: ['gateway'],
};

const INGRESS_NAMESPACE = 'ingress-nginx';
const MONITORING_NAMESPACE = 'monitoring';
const NAME_LABEL = 'kubernetes.io/metadata.name';

interface Server {
  name: string;
  pod: PodAddress;
  http?: PodPort;
  metrics?: PodPort;
}

const podInNamespace = (namespace: string): PodAddress => ({
  namespace,
  namespaceLabels: { [NAME_LABEL]: namespace },
  labels: {},
});

/**
 * What the rendered NetworkPolicies allow between the servers, and from the ingress controller's,
 * the monitoring and any other namespace, against CALLERS: every call the code makes is allowed,
 * nothing else reaches a server's http port; the metrics port is open to `monitoring`.
 */
export function reachabilityProblems(objects: RenderedObject[]): string[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as INetworkPolicy[];
  const deployments = objects.filter((o) => o.kind === 'Deployment') as unknown as (IDeployment &
    RenderedObject)[];
  const namespace = deployments[0]?.metadata.namespace ?? 'default';
  const namespaceObject = objects.find(
    (o) => o.kind === 'Namespace' && o.metadata.name === namespace,
  );
  const namespaceLabels = {
    ...((namespaceObject?.metadata as { labels?: Record<string, string> } | undefined)?.labels ??
      {}),
    [NAME_LABEL]: namespace,
  };
  const servers: Server[] = deployments.map((deployment) => {
    const ports = deployment.spec?.template.spec?.containers.flatMap((c) => c.ports ?? []) ?? [];
    const port = (name: string) => {
      const found = ports.find((p) => p.name === name);
      return found && { name, number: found.containerPort };
    };
    return {
      name: deployment.metadata.name,
      pod: { namespace, namespaceLabels, labels: deployment.spec?.template.metadata?.labels ?? {} },
      http: port('http'),
      metrics: port('metrics'),
    };
  });
  const allowed = (from: PodAddress, to: Server, port: PodPort) =>
    connectionAllowed(policies, namespace, from, to.pod, port);

  return servers.flatMap((target) => {
    const callers = CALLERS[target.name];
    if (!callers)
      return [`${target.name}: not in CALLERS (scripts/lib/kubernetes/reachability.ts)`];
    if (!target.http || !target.metrics) return [`${target.name}: no port named http and metrics`];
    const { http, metrics } = target;
    const problems = servers
      .filter((source) => source !== target)
      .flatMap((source) => {
        const may = allowed(source.pod, target, http);
        const calls = callers.includes(source.name);
        if (may && !calls)
          return [`${source.name} may reach ${target.name}:http, which it does not call`];
        if (!may && calls)
          return [`${source.name} cannot reach ${target.name}:http, which it calls`];
        return [];
      });
    const fromIngress = allowed(podInNamespace(INGRESS_NAMESPACE), target, http);
    if (fromIngress !== (target.name === 'gateway')) {
      problems.push(
        `${target.name}:http ${fromIngress ? 'is' : 'is not'} reachable from namespace ${INGRESS_NAMESPACE}`,
      );
    }
    if (allowed(podInNamespace('some-other-namespace'), target, http)) {
      problems.push(`${target.name}:http is reachable from any namespace`);
    }
    if (!allowed(podInNamespace(MONITORING_NAMESPACE), target, metrics)) {
      problems.push(
        `${target.name}:metrics is not reachable from namespace ${MONITORING_NAMESPACE}`,
      );
    }
    return problems;
  });
}
