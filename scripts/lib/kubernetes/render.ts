import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as rendered, before its schema is checked. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

/** `Kind/name`, how problems name an object. */
export const nameOf = (object: RenderedObject) => `${object.kind}/${object.metadata.name}`;

/**
 * What `kubectl kustomize <dir>` renders, one object per document. Fails with the install hint when
 * kubectl is missing, and with kustomize's own message when the kustomization is broken.
 */
export function renderKustomization(dir: string): RenderedObject[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT') throw new Error('kubectl not found: apt-get install -y kubectl');
    throw new Error(`kubectl kustomize ${dir} failed: ${stderr?.trim() || String(error)}`);
  }
  return parseAllDocuments(output)
    .map((document) => {
      if (document.errors.length) throw new Error(`${dir}: ${document.errors[0]!.message}`);
      return document.toJS() as RenderedObject | null;
    })
    .filter((object): object is RenderedObject => object !== null);
}
