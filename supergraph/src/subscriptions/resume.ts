import type { FetchNode } from '@apollo/query-planner';
import {
  getNamedType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
  print,
  visit,
  type ArgumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { UpstreamEvent } from './execution';

/**
 * Resumable subscriptions (docs/realtime.md, decision 0028). The convention: a Subscription field
 * with an argument `after: ID` whose type has `id: ID!` delivers its events in a fixed order, and
 * given `after: <the id of one of its events>` delivers the events after that one first. The
 * gateway sends such a field upstream with `after` as a variable of its own and the event's `id`
 * selected under an alias of its own, notes the id of every event the subgraph pushes, and a
 * re-subscription after the upstream connection dropped (graphql-ws's retry, possibly to another
 * instance) asks for the events after the last one: the client, whose operation and results stay
 * as they were, receives each event once. Any field that follows the convention is resumable;
 * none is named here.
 */
export const RESUME_ARGUMENT = 'after';
/** The gateway's variable for `after` in the upstream operation. */
const CURSOR_VARIABLE = '__resumeAfter';
/** The alias of the event's `id` in the upstream operation, taken out before the event goes on. */
const CURSOR_ALIAS = '__resumeCursor';

/** What goes upstream for a subscription's primary fetch, and what each event goes through. */
export interface UpstreamRequest {
  query: string;
  variables: Record<string, unknown>;
  /** Each event as the subgraph pushed it, before it goes on: its cursor noted and taken out. */
  received(event: UpstreamEvent): UpstreamEvent;
}

interface Resumption {
  /** The primary fetch's operation with `after: $__resumeAfter` and `__resumeCursor: id`. */
  operation: string;
  /** The client's variables the rewritten operation still uses. */
  variableUsages: string[];
  /** The root field's response key: each event's data holds the cursor under it. */
  responseKey: string;
  /** The `after` the client gave (a variable or a literal), which the first subscription uses. */
  initialCursor(variables: Record<string, unknown>): unknown;
}

const resumptions = new WeakMap<FetchNode, Resumption | null>();

/**
 * The upstream request for `primary` with the client's `variables`. Each call is one upstream
 * subscription: graphql-ws serialises the request again at every re-subscription, so the
 * `variables` object this returns, whose cursor `received` moves forward, is what a
 * re-subscription sends.
 */
export function upstreamRequest(
  primary: FetchNode,
  schema: GraphQLSchema,
  variables: Record<string, unknown>,
): UpstreamRequest {
  let resumption = resumptions.get(primary);
  if (resumption === undefined) {
    resumption = resumptionOf(primary, schema);
    resumptions.set(primary, resumption);
  }
  const used = (names: readonly string[]) =>
    Object.fromEntries(
      names.filter((name) => variables[name] !== undefined).map((name) => [name, variables[name]]),
    );
  if (!resumption) {
    return {
      query: primary.operation,
      variables: used(primary.variableUsages ?? []),
      received: (event) => event,
    };
  }
  const { responseKey } = resumption;
  const upstreamVariables: Record<string, unknown> = {
    ...used(resumption.variableUsages),
    [CURSOR_VARIABLE]: resumption.initialCursor(variables) ?? null,
  };
  return {
    query: resumption.operation,
    variables: upstreamVariables,
    received(event) {
      const root = event.data?.[responseKey];
      if (typeof root !== 'object' || root === null || !(CURSOR_ALIAS in root)) return event;
      const { [CURSOR_ALIAS]: cursor, ...rest } = root as Record<string, unknown>;
      if (typeof cursor === 'string') upstreamVariables[CURSOR_VARIABLE] = cursor;
      return { ...event, data: { ...event.data, [responseKey]: rest } };
    },
  };
}

/** How `primary` resumes, or null when its root field does not follow the convention. */
function resumptionOf(primary: FetchNode, schema: GraphQLSchema): Resumption | null {
  const document = parse(primary.operation);
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  const root = operation?.selectionSet.selections.find(
    (selection): selection is FieldNode =>
      selection.kind === Kind.FIELD && selection.name.value !== '__typename',
  );
  if (!operation || !root?.selectionSet) return null;
  const field = schema.getSubscriptionType()?.getFields()[root.name.value];
  const argument = field?.args.find((arg) => arg.name === RESUME_ARGUMENT);
  const eventType = field && getNamedType(field.type);
  const id = isObjectType(eventType) ? eventType.getFields().id : undefined;
  if (
    !argument ||
    !isScalarType(argument.type) ||
    argument.type.name !== 'ID' ||
    !id ||
    !isNonNullType(id.type) ||
    getNamedType(id.type).name !== 'ID' ||
    // A client's own names would clash with the gateway's (the `__` prefix is reserved).
    primary.operation.includes(CURSOR_VARIABLE) ||
    primary.operation.includes(CURSOR_ALIAS)
  ) {
    return null;
  }
  const given = root.arguments?.find((arg) => arg.name.value === RESUME_ARGUMENT)?.value;
  const cursorArgument: ArgumentNode = {
    kind: Kind.ARGUMENT,
    name: { kind: Kind.NAME, value: RESUME_ARGUMENT },
    value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: CURSOR_VARIABLE } },
  };
  const resumedRoot: FieldNode = {
    ...root,
    arguments: [
      ...(root.arguments ?? []).filter((arg) => arg.name.value !== RESUME_ARGUMENT),
      cursorArgument,
    ],
    selectionSet: {
      ...root.selectionSet,
      selections: [
        ...root.selectionSet.selections,
        {
          kind: Kind.FIELD,
          alias: { kind: Kind.NAME, value: CURSOR_ALIAS },
          name: { kind: Kind.NAME, value: 'id' },
        },
      ],
    },
  };
  const withRoot: OperationDefinitionNode = {
    ...operation,
    selectionSet: {
      ...operation.selectionSet,
      selections: operation.selectionSet.selections.map((selection) =>
        selection === root ? resumedRoot : selection,
      ),
    },
  };
  // The client's variable for `after`, if that was its only use, is no longer used upstream.
  const stillUsed = new Set<string>();
  visit(withRoot.selectionSet, {
    Variable: (variable) => void stillUsed.add(variable.name.value),
  });
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      visit(definition, { Variable: (variable) => void stillUsed.add(variable.name.value) });
    }
  }
  const rewritten: OperationDefinitionNode = {
    ...withRoot,
    variableDefinitions: [
      ...(operation.variableDefinitions ?? []).filter((definition) =>
        stillUsed.has(definition.variable.name.value),
      ),
      {
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: CURSOR_VARIABLE } },
        type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } },
      },
    ],
  };
  return {
    operation: print({
      ...document,
      definitions: document.definitions.map((definition) =>
        definition === operation ? rewritten : definition,
      ),
    }),
    variableUsages: (primary.variableUsages ?? []).filter((name) => stillUsed.has(name)),
    responseKey: root.alias?.value ?? root.name.value,
    initialCursor: (variables) =>
      given?.kind === Kind.VARIABLE
        ? variables[given.name.value]
        : given?.kind === Kind.STRING
          ? given.value
          : null,
  };
}
