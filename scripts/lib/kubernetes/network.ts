import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import { type Labels, selects } from './selectors';

/** A pod: its namespace (name and labels) and its own labels. */
export interface PodAddress {
  namespace: string;
  namespaceLabels: Labels;
  labels: Labels;
}

/** A TCP port of a pod: its number and, if it has one, its name. */
export interface PodPort {
  name?: string;
  number: number;
}

const typesOf = (policy: INetworkPolicy) =>
  policy.spec?.policyTypes ?? ['Ingress', ...(policy.spec?.egress ? ['Egress'] : [])];

/**
 * Whether a peer of a rule matches a pod. A rule without selectors in a peer selects pods of the
 * policy's own namespace; an ipBlock is taken to match anything (it may cover pod addresses), so
 * that the check errs towards "reachable".
 */
function peerMatches(peer: INetworkPolicyPeer, pod: PodAddress, namespace: string): boolean {
  if (peer.ipBlock) return true;
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, pod.namespaceLabels)
    : pod.namespace === namespace;
  return namespaceOk && (peer.podSelector ? selects(peer.podSelector, pod.labels) : true);
}

function portMatches(ports: INetworkPolicyPort[] | undefined, port: PodPort): boolean {
  if (!ports?.length) return true;
  return ports.some(({ protocol = 'TCP', port: allowed, endPort }) => {
    if (protocol !== 'TCP') return false;
    if (allowed === undefined) return true;
    if (typeof allowed === 'string') return allowed === port.name;
    return endPort === undefined
      ? allowed === port.number
      : port.number >= allowed && port.number <= endPort;
  });
}

/**
 * Whether a namespace's NetworkPolicies let `from` open a TCP connection to `to` on `port`
 * (Kubernetes' semantics: a pod selected by no policy of a direction is open in it; one selected
 * by some is open only to what one of their rules allows). Policies of other namespaces are not
 * known here: a caller from another namespace counts as allowed out.
 */
export function connectionAllowed(
  policies: INetworkPolicy[],
  namespace: string,
  from: PodAddress,
  to: PodAddress,
  port: PodPort,
): boolean {
  const selecting = (pod: PodAddress, type: 'Ingress' | 'Egress') =>
    pod.namespace === namespace
      ? policies.filter(
          (policy) =>
            typesOf(policy).includes(type) && selects(policy.spec?.podSelector, pod.labels),
        )
      : [];

  const ingressPolicies = selecting(to, 'Ingress');
  const inAllowed =
    !ingressPolicies.length ||
    ingressPolicies.some((policy) =>
      (policy.spec?.ingress ?? []).some(
        (rule) =>
          (!rule.from?.length || rule.from.some((peer) => peerMatches(peer, from, namespace))) &&
          portMatches(rule.ports, port),
      ),
    );

  const egressPolicies = selecting(from, 'Egress');
  const outAllowed =
    !egressPolicies.length ||
    egressPolicies.some((policy) =>
      (policy.spec?.egress ?? []).some(
        (rule) =>
          (!rule.to?.length || rule.to.some((peer) => peerMatches(peer, to, namespace))) &&
          portMatches(rule.ports, port),
      ),
    );
  return inAllowed && outAllowed;
}
