import {
  Kind,
  parse,
  print,
  stripIgnoredCharacters,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';

/**
 * Merging the entity fetches of one operation that go to the same subgraph at the same moment
 * (the fetches of one `Parallel` node of Apollo's query plan) into one request: each fetch's
 * `_entities` field is aliased, its variables and fragments renamed with a prefix of its own, and
 * the subgraph's answer is split back into one answer per fetch, as if each had been sent alone.
 * See docs/decisions/0030-gateway-throughput.md.
 */

/** The parts of one subgraph fetch this needs. */
export interface EntityFetch {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** One fetch's part of a subgraph response, as the subgraph would have answered it alone. */
export interface FetchAnswer {
  data: Record<string, unknown>;
  errors?: GraphQLFormattedError[];
}

const ENTITIES = '_entities';
/** Distinct fetch operations and batches remembered; past it, the least recently used goes. */
const MAX_REMEMBERED = 1000;

/** `_entities` queries only: one query operation whose only root selection is `_entities`. */
function isEntityQuery(document: DocumentNode): boolean {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length !== 1 || operations[0]!.operation !== 'query') return false;
  const [root, ...others] = operations[0]!.selectionSet.selections;
  return (
    others.length === 0 &&
    root?.kind === Kind.FIELD &&
    root.name.value === ENTITIES &&
    root.alias === undefined &&
    !root.directives?.length
  );
}

/** Whether each fetch query is a mergeable `_entities` query: its document, or false. */
const parsedEntityQueries = new LRUCache<string, DocumentNode | false>({ max: MAX_REMEMBERED });

/** The fetch's document when it is an `_entities` query that can be merged, else undefined. */
export function entityQueryOf(query: string): DocumentNode | undefined {
  let document = parsedEntityQueries.get(query);
  if (document === undefined) {
    document = false;
    try {
      const candidate = parse(query, { noLocation: true });
      if (isEntityQuery(candidate)) document = candidate;
    } catch {
      // Not ours to judge: sent alone, the subgraph answers it.
    }
    parsedEntityQueries.set(query, document);
  }
  return document || undefined;
}

/** The prefix of the `index`th fetch's names: `b0_`, `b1_`, … (no two can produce the same name). */
export const prefixOf = (index: number) => `b${index}_`;

/** The definitions of one fetch with every variable and fragment renamed and `_entities` aliased. */
function renamed(document: DocumentNode, prefix: string): readonly DefinitionNode[] {
  return visit(document, {
    Variable: (node) => ({ ...node, name: { ...node.name, value: prefix + node.name.value } }),
    FragmentSpread: (node) => ({
      ...node,
      name: { ...node.name, value: prefix + node.name.value },
    }),
    FragmentDefinition: (node) => ({
      ...node,
      name: { ...node.name, value: prefix + node.name.value },
    }),
    OperationDefinition: {
      leave: (node) => ({
        ...node,
        selectionSet: {
          ...node.selectionSet,
          selections: node.selectionSet.selections.map((selection) => ({
            ...(selection as FieldNode),
            alias: { kind: Kind.NAME, value: prefix + ENTITIES },
          })),
        },
      }),
    },
  }).definitions;
}

const mergedQueries = new LRUCache<string, string>({ max: MAX_REMEMBERED });

/** One query asking what every fetch asks, each under its own prefix. */
export function mergedQuery(fetches: readonly EntityFetch[]): string {
  const key = fetches.map((fetch) => fetch.query).join('\0');
  const known = mergedQueries.get(key);
  if (known !== undefined) return known;
  const operations: OperationDefinitionNode[] = [];
  const fragments: DefinitionNode[] = [];
  fetches.forEach((fetch, index) => {
    for (const definition of renamed(entityQueryOf(fetch.query)!, prefixOf(index))) {
      if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
      else fragments.push(definition);
    }
  });
  const operation: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: operations[0]!.operation,
    name: operations[0]!.name && {
      ...operations[0]!.name,
      value: `${operations[0]!.name.value}__batch`,
    },
    variableDefinitions: operations.flatMap((each) => each.variableDefinitions ?? []),
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: operations.flatMap((each) => each.selectionSet.selections),
    },
  };
  const merged = stripIgnoredCharacters(
    print({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }),
  );
  mergedQueries.set(key, merged);
  return merged;
}

/** Every fetch's variables under its prefix, in one object. */
export function mergedVariables(fetches: readonly EntityFetch[]): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  fetches.forEach((fetch, index) => {
    const prefix = prefixOf(index);
    for (const [name, value] of Object.entries(fetch.variables ?? {})) {
      variables[prefix + name] = value;
    }
  });
  return variables;
}

/**
 * The merged response split into each fetch's answer, or undefined when it cannot be split into
 * exactly what each would have got alone: no data (the request failed as a whole), a fetch's
 * field missing, or an error that does not name one fetch's entities.
 */
export function splitAnswer(
  count: number,
  response: { data?: unknown; errors?: readonly GraphQLFormattedError[] },
): FetchAnswer[] | undefined {
  const { data } = response;
  if (typeof data !== 'object' || data === null) return undefined;
  const answers: FetchAnswer[] = [];
  for (let index = 0; index < count; index += 1) {
    const alias = prefixOf(index) + ENTITIES;
    if (!(alias in data)) return undefined;
    answers.push({ data: { [ENTITIES]: (data as Record<string, unknown>)[alias] } });
  }
  const { errors = [] } = response;
  // Alone, each fetch would have failed on a malformed list: so it is sent alone.
  if (!Array.isArray(errors)) return undefined;
  for (const error of errors) {
    if (!Array.isArray(error.path)) return undefined;
    const [first, second, ...rest] = error.path as (string | number)[];
    const index = typeof first === 'string' ? indexOfAlias(first) : undefined;
    // An error on `_entities` itself (no item index) nulled the whole field: alone, that fetch's
    // data would have been null, which a merged answer cannot tell apart.
    if (index === undefined || index >= count || typeof second !== 'number') return undefined;
    const answer = answers[index]!;
    (answer.errors ??= []).push({ ...error, path: [ENTITIES, second, ...rest] });
  }
  return answers;
}

const ALIAS = /^b(\d+)__entities$/;

function indexOfAlias(alias: string): number | undefined {
  const match = ALIAS.exec(alias);
  return match ? Number(match[1]) : undefined;
}
