// `npm run check:deploy` (CI): renders every Kubernetes overlay under deploy/kubernetes/overlays
// with `kubectl kustomize`, checks every object against Kubernetes' schemas, the deployment
// policies (scripts/lib/kubernetes/policies.ts) and that the NetworkPolicies allow exactly the
// calls the services make (reachability.ts). What and why: docs/kubernetes.md#the-check.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { policyProblems } from './lib/kubernetes/policies';
import { reachabilityProblems } from './lib/kubernetes/reachability';
import { renderKustomization } from './lib/kubernetes/render';
import { schemaProblems } from './lib/kubernetes/schema';

const root = join(__dirname, '..');
const OVERLAYS = join(root, 'deploy', 'kubernetes', 'overlays');

function main() {
  const started = performance.now();
  const overlays = readdirSync(OVERLAYS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(OVERLAYS, entry.name))
    .filter((dir) => existsSync(join(dir, 'kustomization.yaml')));
  if (!overlays.length) throw new Error(`no overlays under ${relative(root, OVERLAYS)}`);

  let failed = false;
  for (const dir of overlays) {
    const name = relative(root, dir);
    const objects = renderKustomization(dir);
    const problems = [
      ...schemaProblems(objects),
      ...policyProblems(objects, { production: dir.endsWith('production') }),
      ...reachabilityProblems(objects),
    ];
    const kinds = new Map<string, number>();
    for (const { kind } of objects) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const counts = [...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ');
    console.log(`${name}: ${objects.length} objects (${counts})`);
    for (const problem of problems) console.error(`  ✗ ${problem}`);
    failed ||= problems.length > 0;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (failed) {
    console.error(`check:deploy failed (${seconds} s)`);
    process.exitCode = 1;
  } else {
    console.log(
      `check:deploy: ${overlays.length} overlays valid, every policy holds (${seconds} s)`,
    );
  }
}

main();
