import { buildSubgraphSchema } from '@apollo/subgraph';
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import { gatewayCredentialHeaders } from '@fitnexa/shared/testing';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../scripts/lib/graph';
import { startGraph, type Graph } from './support';

// Every root field of the supergraph (queries, mutations, and subscriptions sent over HTTP), and of
// each subgraph as the gateway sees it (`_entities` included), called with hostile arguments built
// from the argument types: no answer may be a 5xx or carry INTERNAL_SERVER_ERROR. Whatever the
// input, a bad one is the client's error (BAD_USER_INPUT, NOT_FOUND, FORBIDDEN…), never ours.

/** A POST straight at a subgraph, as the gateway sends one. */
/** A subgraph called straight, as the gateway calls it (with the gateway's service credential). */
async function callSubgraph(name: SubgraphName, body: unknown, token: string) {
  const response = await fetch(graph.subgraphs[name].url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(await gatewayCredentialHeaders(name)),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

async function callGateway(url: string, body: unknown, token: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

const HUGE = 'x'.repeat(200 * 1024);
const aUuid = () => crypto.randomUUID();

/** One way of filling every argument: a value per scalar type, lists of `listLength` items. */
interface Profile {
  name: string;
  scalar(type: string): unknown;
  listLength?: number;
}

const sane: Record<string, () => unknown> = {
  ID: aUuid,
  String: () => 'hostile sweep',
  Int: () => 1,
  Float: () => 1.5,
  Boolean: () => true,
  DateTime: () => new Date().toISOString(),
};
const saneScalar = (type: string) => (sane[type] ?? sane.String!)();
const override =
  (values: Record<string, unknown>) =>
  (type: string): unknown =>
    type in values ? values[type] : saneScalar(type);

// Each profile fills every argument at once; one value that fails variable coercion (2^53 for an
// Int) stops the operation before the others are looked at, so such values share a profile.
const PROFILES: Profile[] = [
  { name: 'well-formed values', scalar: saneScalar },
  { name: 'ids that are neither UUIDs nor safe SQL', scalar: override({ ID: "1' OR '1'='1" }) },
  {
    name: 'NUL characters in every string',
    scalar: override({ ID: 'a\u0000b', String: 'a\u0000b' }),
  },
  { name: '200 KB strings', scalar: override({ ID: HUGE, String: HUGE }) },
  { name: 'empty strings', scalar: override({ ID: '', String: '' }) },
  {
    name: 'the largest numbers and dates',
    scalar: override({ Int: 2 ** 31 - 1, Float: 1e308, DateTime: '+275760-09-13T00:00:00.000Z' }),
  },
  {
    name: 'the smallest numbers and dates',
    scalar: override({
      Int: -(2 ** 31),
      Float: -1e308,
      DateTime: '-271821-04-20T00:00:00.000Z',
    }),
  },
  { name: 'negative numbers', scalar: override({ Int: -1, Float: -0.000001 }) },
  {
    name: 'unreadable numbers and dates (2^53, "NaN", month 13)',
    scalar: override({ Int: 2 ** 53, Float: 'NaN', DateTime: '2026-13-01T00:00:00Z' }),
  },
  { name: 'lists of 2,000 items', scalar: saneScalar, listLength: 2_000 },
];

/** A value of `type` under `profile`, input objects filled field by field (optional ones too). */
function valueOf(type: GraphQLInputType, profile: Profile, depth = 0): unknown {
  if (isNonNullType(type)) return valueOf(type.ofType, profile, depth);
  if (isListType(type)) {
    const item = valueOf(type.ofType, profile, depth + 1);
    return Array.from({ length: profile.listLength ?? 1 }, () => item);
  }
  if (isEnumType(type)) return type.getValues()[0]?.name;
  if (isInputObjectType(type)) {
    if (depth > 8) return null;
    return Object.fromEntries(
      Object.values(type.getFields()).map((field) => [
        field.name,
        valueOf(field.type, profile, depth + 1),
      ]),
    );
  }
  return profile.scalar(type.name);
}

interface Operation {
  field: string;
  profile: string;
  body: { query: string; variables: Record<string, unknown> };
}

/** The operations calling `field` of the root `kind` with every profile's arguments. */
function operationsFor(
  kind: 'query' | 'mutation' | 'subscription',
  field: GraphQLField<unknown, unknown>,
  representations?: string[],
  /** The field lies below this root field (`me`), whose own arguments are left out. */
  under?: string,
): Operation[] {
  const returned = getNamedType(field.type);
  const selection = isLeafType(returned) ? '' : ' { __typename }';
  const declared = field.args.map((arg, i) => `$a${i}: ${arg.type.toString()}`).join(', ');
  const passed = field.args.map((arg, i) => `${arg.name}: $a${i}`).join(', ');
  const called = `${field.name}${passed ? `(${passed})` : ''}${selection}`;
  const query = `${kind} Sweep${declared ? `(${declared})` : ''} { ${under ? `${under} { ${called} }` : called} }`;
  return PROFILES.map((profile) => ({
    field: `${kind} ${under ? `${under}.` : ''}${field.name}`,
    profile: profile.name,
    body: {
      query,
      variables: Object.fromEntries(
        field.args.map((arg, i) => [
          `a${i}`,
          // `_entities` takes entity representations: every entity type, its id filled likewise.
          representations && arg.name === 'representations'
            ? representations.map((typename) => ({
                __typename: typename,
                id: profile.scalar('ID'),
              }))
            : valueOf(arg.type, profile),
        ]),
      ),
    },
  }));
}

function rootOperations(schema: GraphQLSchema, entityTypes?: string[]): Operation[] {
  const roots = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ] as const;
  return roots.flatMap(([kind, type]) =>
    Object.values(type?.getFields() ?? {})
      .filter((field) => !['_service'].includes(field.name))
      .flatMap((field) =>
        operationsFor(kind, field, field.name === '_entities' ? entityTypes : undefined),
      ),
  );
}

interface Failure {
  target: string;
  field: string;
  profile: string;
  status: number;
  answer: string;
}

/** Runs `tasks` with at most `width` at a time. */
async function inPool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await tasks[index]!();
      }
    }),
  );
  return results;
}

let graph: Graph;
let tokens: { who: string; token: string }[];

beforeAll(async () => {
  graph = await startGraph({ seedDemoData: true });
  const member = await graph.logIn(DEMO_USERS.member.email, DEMO_PASSWORD);
  const admin = await graph.logIn(DEMO_USERS.admin.email, DEMO_PASSWORD);
  tokens = [
    { who: 'member', token: member.token },
    { who: 'admin', token: admin.token },
  ];
}, 60_000);
afterAll(() => graph?.stop());

/** Sends every operation as every signed-in user; the answers that are 5xx or INTERNAL. */
async function sweep(
  target: string,
  operations: Operation[],
  call: (body: unknown, token: string) => Promise<{ status: number; text: string }>,
) {
  const tasks = operations.flatMap((operation) =>
    tokens.map(({ who, token }) => async (): Promise<Failure | undefined> => {
      const { status, text } = await call(operation.body, token);
      if (status < 500 && !text.includes('INTERNAL_SERVER_ERROR')) return undefined;
      return {
        target: `${target} as ${who}`,
        field: operation.field,
        profile: operation.profile,
        status,
        answer: text.slice(0, 300),
      };
    }),
  );
  const failures = (await inPool(tasks, 8)).filter((failure) => failure !== undefined);
  return { requests: tasks.length, failures };
}

function report(failures: Failure[]) {
  return failures
    .map((f) => `${f.target}: ${f.field} with ${f.profile} -> ${f.status} ${f.answer}`)
    .join('\n');
}

describe('hostile input on every root field', () => {
  it('when every root field of the supergraph (and every field of me with arguments) is called through the gateway with hostile arguments, then no answer is a 5xx or INTERNAL_SERVER_ERROR', async () => {
    const introspection = await graph.post({ query: getIntrospectionQuery() });
    const schema = buildClientSchema(introspection.body.data);
    // The signed-in user's own fields with arguments (pages, date ranges) too.
    const me = schema.getQueryType()!.getFields().me!.type;
    const ofMe = Object.values((getNamedType(me) as GraphQLObjectType).getFields())
      .filter((field) => field.args.length > 0)
      .flatMap((field) => operationsFor('query', field, undefined, 'me'));
    const operations = [...rootOperations(schema), ...ofMe];
    const { requests, failures } = await sweep('gateway', operations, (body, token) =>
      callGateway(graph.gateway.url, body, token),
    );
    console.info(
      `hostile sweep through the gateway: ${operations.length / PROFILES.length} root fields (and fields of me with arguments) × ${PROFILES.length} argument profiles × ${tokens.length} users = ${requests} requests`,
    );
    expect(report(failures)).toBe('');
  }, 120_000);

  it.each(SUBGRAPH_NAMES)(
    'when every root field of %s (its own schema, _entities included) is called directly with hostile arguments, then no answer is a 5xx or INTERNAL_SERVER_ERROR',
    async (name: SubgraphName) => {
      const service = await callSubgraph(name, { query: '{ _service { sdl } }' }, tokens[0]!.token);
      const sdl = parse(JSON.parse(service.text).data._service.sdl);
      const schema = buildSubgraphSchema(sdl);
      const entityTypes = Object.values(schema.getTypeMap())
        .filter(
          (type) =>
            isObjectType(type) && type.astNode?.directives?.some((d) => d.name.value === 'key'),
        )
        .map((type) => type.name);
      const operations = rootOperations(schema, entityTypes);
      const { requests, failures } = await sweep(name, operations, (body, token) =>
        callSubgraph(name, body, token),
      );
      console.info(
        `hostile sweep straight at ${name}: ${operations.length / PROFILES.length} root fields × ${PROFILES.length} argument profiles × ${tokens.length} users = ${requests} requests`,
      );
      expect(report(failures)).toBe('');
    },
    120_000,
  );
});

describe('bad input that used to be a 500', () => {
  const member = () => tokens[0]!.token;
  const admin = () => tokens[1]!.token;
  const codeOf = (text: string) => JSON.parse(text).errors?.[0]?.extensions?.code;

  it('when the operationName names no operation of the document, then the gateway and a subgraph answer 400 OPERATION_RESOLUTION_FAILURE', async () => {
    const body = { query: 'query Mine { __typename }', operationName: 'Theirs' };
    const viaGateway = await callGateway(graph.gateway.url, body, member());
    const direct = await callSubgraph('identity', body, member());
    for (const answer of [viaGateway, direct]) {
      expect([answer.status, codeOf(answer.text)]).toEqual([400, 'OPERATION_RESOLUTION_FAILURE']);
    }
  });

  it('when a subscription is sent over HTTP, then the gateway and the subgraph that owns it answer 400 BAD_REQUEST', async () => {
    const body = {
      query: 'subscription S($id: ID!) { squadActivity(squadId: $id) { __typename } }',
      variables: { id: crypto.randomUUID() },
    };
    const viaGateway = await callGateway(graph.gateway.url, body, member());
    const direct = await callSubgraph('squad', body, member());
    for (const answer of [viaGateway, direct]) {
      expect([answer.status, codeOf(answer.text)]).toEqual([400, 'BAD_REQUEST']);
    }
  });

  const month13 = '2026-13-01T00:00:00Z';
  const later = '2026-12-02T00:00:00Z';
  it.each([
    [
      'gymSchedule',
      'query Q($at: DateTime!, $to: DateTime!) { gymSchedule(gymId: "00000000-0000-4000-8000-000000000000", from: $at, to: $to) { id } }',
    ],
    ['logs', 'query Q($at: DateTime!) { logs(filter: { since: $at }) { message } }'],
    [
      'scheduleClass',
      'mutation M($at: DateTime!) { scheduleClass(input: { gymId: "00000000-0000-4000-8000-000000000000", title: "Yoga", coachId: "00000000-0000-4000-8000-000000000000", startsAt: $at, durationMinutes: 60, capacity: 10 }) { id } }',
    ],
    [
      'createChallenge',
      'mutation M($at: DateTime!, $to: DateTime!) { createChallenge(input: { squadId: "00000000-0000-4000-8000-000000000000", title: "Run", metric: TOTAL_VOLUME_KG, goal: 10, startsAt: $at, endsAt: $to }) { id } }',
    ],
    [
      'bookedClasses',
      'query Q($at: DateTime!, $to: DateTime!) { me { bookedClasses(from: $at, to: $to) { __typename } } }',
    ],
  ])(
    'when %s gets a DateTime with month 13, then the gateway answers BAD_USER_INPUT from the subgraph, not a 500',
    async (_field, query) => {
      const answer = await callGateway(
        graph.gateway.url,
        { query, variables: { at: month13, to: later } },
        admin(),
      );
      expect(answer.status).toBeLessThan(500);
      expect(codeOf(answer.text)).toBe('BAD_USER_INPUT');
    },
  );

  it.each([
    [
      'identity',
      'updateProfile.displayName',
      'mutation M($v: String) { updateProfile(input: { displayName: $v }) { id } }',
    ],
    [
      'workout',
      'startWorkoutSession.notes',
      'mutation M($v: String) { startWorkoutSession(notes: $v) { id } }',
    ],
  ] as const)(
    'when %s gets a NUL character in %s, then the gateway and the subgraph answer BAD_USER_INPUT, for a variable as for a literal',
    async (subgraph, _field, query) => {
      const body = { query, variables: { v: 'before\u0000after' } };
      const viaGateway = await callGateway(graph.gateway.url, body, member());
      const direct = await callSubgraph(subgraph, body, member());
      for (const answer of [viaGateway, direct]) {
        expect(answer.status).toBe(400);
        expect(codeOf(answer.text)).toBe('BAD_USER_INPUT');
      }
      const literal = await callGateway(
        graph.gateway.url,
        { query: query.replace('($v: String)', '').replace('$v', '"nul \\u0000 in a literal"') },
        member(),
      );
      expect(codeOf(literal.text)).toBe('BAD_USER_INPUT');
    },
  );
});
