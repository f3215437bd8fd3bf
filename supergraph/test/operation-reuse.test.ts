import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { reusingOperations, useOperationReuse } from '../src/operation-reuse';
import { computeResponse } from '../src/result-shaping';
import { SUPERGRAPH_SDL } from './kit';

// Apollo's executor builds the request's `Operation` from the operation and fragment nodes of the
// parsed document Apollo Server kept for the query text: a new document object every time, the
// same nodes. These calls are what the gateway answers from what it built before.

const apiSchema = () => Supergraph.build(SUPERGRAPH_SDL).apiSchema();

const QUERY = `query Me($withName: Boolean!) {
  me { id ...named @include(if: $withName) }
}
fragment named on User { displayName }`;

/** The document as Apollo's executor hands it over: a fresh object around the same nodes. */
function asTheExecutorDoes(parsed: DocumentNode): DocumentNode {
  const operation = parsed.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  )!;
  const fragments = parsed.definitions.filter(
    (definition) => definition.kind === Kind.FRAGMENT_DEFINITION,
  );
  return { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
}

function countingBuilds() {
  const counted = { builds: 0 };
  const build = reusingOperations((schema, document, options) => {
    counted.builds += 1;
    return operationFromDocument(schema, document, options);
  });
  return { build, counted };
}

describe("the request's operation, built once per parsed document", () => {
  it('when the executor asks twice for the same parsed query, then it is built once and both requests get it', () => {
    const schema = apiSchema();
    const parsed = parse(QUERY);
    const { build, counted } = countingBuilds();

    const first = build(schema, asTheExecutorDoes(parsed), { validate: false });
    const second = build(schema, asTheExecutorDoes(parsed), { validate: false });

    expect(second).toBe(first);
    expect(counted.builds).toBe(1);
  });

  it('when the same operation is shaped for different variables, then each answer follows its own', () => {
    const schema = apiSchema();
    const parsed = parse(QUERY);
    const { build } = countingBuilds();
    const input = { me: { __typename: 'User', id: 'u1', displayName: 'Ada' } };
    const shape = (withName: boolean) =>
      computeResponse({
        operation: build(schema, asTheExecutorDoes(parsed), { validate: false }),
        variables: { withName },
        input,
        introspectionHandling: () => null,
      }).data;

    expect(shape(true)).toEqual({ me: { id: 'u1', displayName: 'Ada' } });
    expect(shape(false)).toEqual({ me: { id: 'u1' } });
  });

  it('when the query text is parsed anew, or the supergraph changes, then it is built anew for it', () => {
    const schema = apiSchema();
    const { build, counted } = countingBuilds();
    const parsed = parse(QUERY);

    build(schema, asTheExecutorDoes(parsed), { validate: false });
    build(schema, asTheExecutorDoes(parse(QUERY)), { validate: false });
    const changed = apiSchema();
    const forChanged = build(changed, asTheExecutorDoes(parsed), { validate: false });

    expect(counted.builds).toBe(3);
    expect(forChanged.schema()).toBe(changed);
  });

  it('when validation is asked for, or an operation picked by name, then it is built every time', () => {
    const schema = apiSchema();
    const parsed = parse(QUERY);
    const { build, counted } = countingBuilds();

    build(schema, parsed, {});
    build(schema, parsed, {});
    build(schema, parsed, { validate: false, operationName: 'Me' });
    build(schema, parsed, { validate: false, operationName: 'Me' });

    expect(counted.builds).toBe(4);
  });

  it("when the gateway starts, then Apollo's executor builds operations through the reuse", () => {
    expect(useOperationReuse()).toBe(true);
    expect(useOperationReuse()).toBe(true);
    const schema = apiSchema();
    const parsed = parse(QUERY);

    // What @apollo/gateway's executor calls: the package's export, now the reusing one.
    const first = operationFromDocument(schema, asTheExecutorDoes(parsed), { validate: false });
    const second = operationFromDocument(schema, asTheExecutorDoes(parsed), { validate: false });

    expect(second).toBe(first);
  });
});
