import type { IContainer } from 'kubernetes-models/v1/Container';
import type { RenderedObject } from './render';

type Data = Record<string, string>;

/**
 * The environment a container starts with, resolved from the rendered ConfigMaps and Secrets as
 * the kubelet does: `envFrom` in order, then `env` over it. Undefined for a reference the overlay
 * does not render (production's Secrets).
 */
export function containerEnvironment(
  objects: RenderedObject[],
  container: IContainer,
): Record<string, string> | undefined {
  const dataOf = (kind: 'ConfigMap' | 'Secret', name: string): Data | undefined => {
    const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
    const data = object?.data as Data | undefined;
    if (!data || kind === 'ConfigMap') return data;
    return Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
    );
  };
  const env: Record<string, string> = {};
  for (const { configMapRef, secretRef } of container.envFrom ?? []) {
    const data = configMapRef
      ? dataOf('ConfigMap', configMapRef.name!)
      : secretRef && dataOf('Secret', secretRef.name!);
    if (!data) return undefined;
    Object.assign(env, data);
  }
  for (const { name, value, valueFrom } of container.env ?? []) {
    if (value !== undefined) env[name] = value;
    const ref = valueFrom?.configMapKeyRef ?? valueFrom?.secretKeyRef;
    if (!ref) continue;
    const data = dataOf(valueFrom?.configMapKeyRef ? 'ConfigMap' : 'Secret', ref.name!);
    const resolved = data?.[ref.key];
    if (resolved === undefined) return undefined;
    env[name] = resolved;
  }
  return env;
}
