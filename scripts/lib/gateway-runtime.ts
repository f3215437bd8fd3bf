/**
 * The Node options the gateway runs with: set as NODE_OPTIONS by its Kubernetes Deployment and its
 * compose service (check:deploy and scripts/lib/gateway-runtime.test.ts hold both to this value),
 * and given to our gateway by the benchmarks, so that they measure it as it is deployed.
 *
 * Semi-spaces of up to 32 MB instead of V8's 16: with tens of requests in flight the gateway
 * allocates fast and most of it dies young, so a larger young generation is scavenged less often
 * for about the same live data. About a fifth less gateway CPU per `varied` request, at most
 * 32 MB more resident (decision 0039).
 */
export const GATEWAY_NODE_OPTIONS = '--max-semi-space-size=32';

/** GATEWAY_NODE_OPTIONS one by one: arguments of `node`, or what a manifest's must hold. */
export const GATEWAY_NODE_ARGS: readonly string[] = GATEWAY_NODE_OPTIONS.split(' ');
