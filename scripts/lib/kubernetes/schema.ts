import * as models from 'kubernetes-models';
import { nameOf, type RenderedObject } from './render';

interface ModelClass {
  new (data: unknown): { validate(): void };
}
type ModelTree = Record<string, Record<string, Record<string, ModelClass | undefined> | undefined>>;

// kubernetes-models exports its classes as <group>.<version>.<Kind>, the group in camel case
// (`networking.k8s.io` is `networkingK8sIo`) and the core group's versions at the top (`v1`).
const byGroup = models as unknown as ModelTree & Record<string, Record<string, ModelClass>>;

function modelOf(apiVersion: string, kind: string): ModelClass | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (!group) return byGroup[version!]?.[kind] as ModelClass | undefined;
  const key = group
    .split('.')
    .map((part, index) => (index ? part[0]!.toUpperCase() + part.slice(1) : part))
    .join('');
  return byGroup[key]?.[version!]?.[kind];
}

/**
 * kustomize wraps long base64 values (a generated Secret's `data`) over several lines, which the
 * API server's base64 decoder reads as one (it skips line breaks); the schema's `byte` format does
 * not, so the breaks go before validation.
 */
function asTheApiServerReads(object: RenderedObject): RenderedObject {
  const field = object.kind === 'Secret' ? 'data' : object.kind === 'ConfigMap' ? 'binaryData' : '';
  const values = field ? (object[field] as Record<string, unknown> | undefined) : undefined;
  if (!values) return object;
  const unwrapped = Object.entries(values).map(([key, value]) => [
    key,
    typeof value === 'string' ? value.replace(/[\r\n]/g, '') : value,
  ]);
  return { ...object, [field]: Object.fromEntries(unwrapped) };
}

/**
 * Checks every object against Kubernetes' OpenAPI schema (kubernetes-models: types, required
 * fields, formats). An object of a kind it has no schema for is a problem too: nothing here
 * should need a custom resource.
 */
export function schemaProblems(objects: RenderedObject[]): string[] {
  return objects.flatMap((object) => {
    const Model = modelOf(object.apiVersion, object.kind);
    if (!Model) return [`${nameOf(object)}: no schema for ${object.apiVersion} ${object.kind}`];
    try {
      new Model(asTheApiServerReads(object)).validate();
      return [];
    } catch (error) {
      return [`${nameOf(object)}: ${(error as Error).message}`];
    }
  });
}
