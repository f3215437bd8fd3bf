import {
  buildSchema,
  isCompositeType,
  isEnumType,
  isListType,
  isNonNullType,
  operationFromDocument,
  Supergraph,
  type Operation,
  type Schema,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import { computeResponse as apolloComputeResponse } from '@apollo/gateway/dist/resultShaping';
import { parse, type GraphQLError } from 'graphql';
import { computeResponse, useLeanResultShaping } from '../src/result-shaping';
import { SUPERGRAPH_SDL } from './kit';

// The gateway's result shaping against Apollo's own, on the same operations and the same merged
// subgraph data: well-formed data, and data broken on purpose (nulls where none may be, values of
// the wrong type, unknown __typenames, missing fields), many random variations of each, from a
// fixed seed. Same data, same errors (message, path, code), or the same internal error.

type Json = Record<string, unknown>;

// Taken before anything puts ours in its place.
const apolloShaping = apolloComputeResponse as typeof computeResponse;
const apiSchema = Supergraph.build(SUPERGRAPH_SDL).apiSchema();

/** A schema of its own for what the supergraph has none of: interfaces, unions, fragments on them. */
const polymorphic = buildSchema(`
  type Query { feed: [FeedItem!]! featured: Node search(term: String): [Result] }
  interface Node { id: ID! }
  interface FeedItem { id: ID! at: String! }
  type Post implements Node & FeedItem { id: ID! at: String! title: String! likes: Int }
  type Workout implements Node & FeedItem { id: ID! at: String! minutes: Int! kind: Kind }
  type Person implements Node { id: ID! name: String! friends: [Person!] }
  union Result = Post | Person
  enum Kind { RUN SWIM LIFT }
`);

const CASES: { name: string; schema: Schema; query: string; variables?: Json }[] = [
  {
    name: 'a member dashboard (nested lists, aliases, arguments)',
    schema: apiSchema,
    query: `query Dashboard($from: DateTime!, $to: DateTime!) {
      me {
        id name: displayName role
        memberships { status gym { name } plan { name priceCents period } }
        bookedClasses(from: $from, to: $to) { status class { title startsAt coach { displayName } } }
        workoutSessions(first: 5) { edges { cursor node { startedAt sets { reps weightKg exercise { name equipment } } } } }
        personalRecords { kind value exercise { name } }
        squads { name memberCount }
        unreadCount
      }
    }`,
    variables: { from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z' },
  },
  {
    name: 'skip and include, by variable, literal and default, and __typename aliased',
    schema: apiSchema,
    query: `query Conditional($withRole: Boolean!, $skipName: Boolean = true) {
      me {
        kind: __typename
        __typename
        role @include(if: $withRole)
        displayName @skip(if: $skipName)
        email @include(if: false)
        ... @skip(if: $withRole) { createdAt }
        ...Names
        squads { ... on Squad { name } name homeGym { name } }
      }
    }
    fragment Names on User { displayName id }`,
    variables: { withRole: true },
  },
  {
    name: 'interfaces and unions with fragments on each type',
    schema: polymorphic,
    query: `query Feed {
      feed { __typename id at ... on Post { title likes } ... on Workout { minutes kind } }
      featured { id ... on Person { name friends { name } } ... on Node { id } }
      search(term: "x") { ... on Post { title } ... on Person { id name } }
    }`,
  },
];

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function randomFrom(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), chance: (p: number) => next() < p };
}
type Random = ReturnType<typeof randomFrom>;

/** Merged subgraph data for `selectionSet`, as the subgraphs would send it, sometimes broken. */
function dataFor(schema: Schema, selectionSet: SelectionSet, random: Random, broken: number): Json {
  const data: Json = {};
  const parentType = selectionSet.parentType;
  const possible = isCompositeType(parentType)
    ? parentType.kind === 'ObjectType'
      ? [parentType.name]
      : [...schema.types()]
          .filter((type) => type.kind === 'ObjectType')
          .filter((type) =>
            'interfaces' in type
              ? parentType.kind === 'InterfaceType'
                ? type.interfaces().some((i) => i.name === parentType.name)
                : parentType.kind === 'UnionType' && parentType.hasTypeMember(type.name)
              : false,
          )
          .map((type) => type.name)
    : [];
  const typename = possible[random.int(possible.length)];
  if (typename && random.chance(parentType.kind === 'ObjectType' ? 0.5 : 1 - broken / 4)) {
    data.__typename = random.chance(broken / 4) ? 'NoSuchType' : typename;
  }
  for (const selection of selectionSet.selections()) {
    if (selection.kind === 'FragmentSelection') {
      Object.assign(data, dataFor(schema, selection.selectionSet, random, broken));
      continue;
    }
    const field = selection.element;
    if (field.name === '__typename') continue;
    if (random.chance(broken / 10)) continue; // missing: read as null
    data[field.responseName()] = valueFor(
      schema,
      field.definition.type!,
      selection.selectionSet,
      random,
      broken,
    );
  }
  return data;
}

function valueFor(
  schema: Schema,
  type: Type,
  selectionSet: SelectionSet | undefined,
  random: Random,
  broken: number,
): unknown {
  if (random.chance(broken / 6)) return null;
  if (isNonNullType(type)) return valueFor(schema, type.ofType, selectionSet, random, broken);
  if (isListType(type)) {
    return Array.from({ length: random.int(4) }, () =>
      valueFor(schema, type.ofType, selectionSet, random, broken),
    );
  }
  if (selectionSet) return dataFor(schema, selectionSet, random, broken);
  if (random.chance(broken / 6)) return random.chance(0.5) ? { not: 'a leaf' } : 'WRONG';
  if (isEnumType(type)) return type.values[random.int(type.values.length)]!.name;
  switch (type.toString()) {
    case 'Int':
      return random.int(1000);
    case 'Float':
      return random.next() * 100;
    case 'Boolean':
      return random.chance(0.5);
    default:
      return `text ${random.int(1000)}`;
  }
}

/** Either function's outcome, comparable: data and errors, or the error it threw. */
function outcome(
  shape: typeof computeResponse,
  operation: Operation,
  input: Json,
  variables?: Json,
) {
  try {
    const { data, errors } = shape({
      operation,
      variables,
      input,
      introspectionHandling: () => ({ introspected: true }),
    });
    return {
      data: JSON.parse(JSON.stringify(data ?? null)) as unknown,
      errors: errors.map((error: GraphQLError) => ({
        message: error.message,
        path: error.path,
        code: error.extensions.code,
      })),
    };
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

describe('shaping the merged subgraph data into the response', () => {
  it.each(CASES)(
    'when the data is well formed or broken in any way, then $name comes out as Apollo shapes it',
    ({ schema, query, variables }) => {
      const operation = operationFromDocument(schema, parse(query), { validate: true });
      const random = randomFrom(0x5eed);
      const outcomes = { errors: 0, nulled: 0 };
      for (let run = 0; run < 400; run++) {
        const broken = run < 50 ? 0 : random.next();
        const input = dataFor(schema, operation.selectionSet, random, broken);
        const ours = outcome(computeResponse, operation, input, variables);
        const apollo = outcome(apolloShaping, operation, input, variables);
        expect(ours).toEqual(apollo);
        if (ours.errors?.length) outcomes.errors += 1;
        if (ours.data === null) outcomes.nulled += 1;
      }
      // The variations reached what they are for: errors recorded, and a null reaching the root.
      expect(outcomes.errors).toBeGreaterThan(20);
      expect(outcomes.nulled).toBeGreaterThan(0);
    },
  );

  it('when the gateway starts, then Apollo’s executor shapes results with ours', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const apollo = require('@apollo/gateway/dist/resultShaping') as { computeResponse: unknown };
    expect(useLeanResultShaping()).toBe(true);
    expect(apollo.computeResponse).toBe(computeResponse);
  });
});
