// Apollo's query plan executor builds the federation `Operation` of the request from its parsed
// document at every request, though the plan it runs is cached: about 3 % of the gateway's CPU on
// the benchmark's `varied` workload. The `Operation` is a function of the schema and the document,
// and Apollo Server hands the executor the same parsed document for the same query text (its
// document store), so the one built for a document is kept with it and reused (decision 0044).
import { createRequire } from 'node:module';
import type { Operation, Schema } from '@apollo/federation-internals';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';

type OperationFromDocument = (
  schema: Schema,
  document: DocumentNode,
  options?: { operationName?: string; validate?: boolean },
) => Operation;

/** Where @apollo/federation-internals keeps it; its index re-exports it by a live getter. */
const APOLLO_OPERATIONS = '@apollo/federation-internals/dist/operations';

const REUSED = Symbol('fitnexa.operationReuse');

/**
 * `build`, remembering what it built for the executor's calls: those that skip validation for a
 * document of one operation (with its fragments), by that operation's node and the schema.
 * Anything else (validation asked for, an operation picked by name) is built every time.
 */
export function reusingOperations(build: OperationFromDocument): OperationFromDocument {
  const built = new WeakMap<OperationDefinitionNode, { schema: Schema; operation: Operation }>();
  return (schema, document, options) => {
    const [first] = document.definitions;
    if (
      options?.validate !== false ||
      options.operationName !== undefined ||
      first?.kind !== 'OperationDefinition'
    ) {
      return build(schema, document, options);
    }
    const kept = built.get(first);
    if (kept?.schema === schema) return kept.operation;
    const operation = build(schema, document, options);
    built.set(first, { schema, operation });
    return operation;
  };
}

/**
 * Makes Apollo's executor reuse the `Operation` it built for a document. Idempotent; it changes
 * nothing (and says so) if Apollo's module is not where this version of it keeps it.
 */
export function useOperationReuse(): boolean {
  const apollo = createRequire(__filename)(APOLLO_OPERATIONS) as {
    operationFromDocument?: OperationFromDocument & { [REUSED]?: true };
  };
  const original = apollo.operationFromDocument;
  if (typeof original !== 'function') return false;
  if (original[REUSED]) return true;
  apollo.operationFromDocument = Object.assign(reusingOperations(original), {
    [REUSED]: true as const,
  });
  return true;
}
