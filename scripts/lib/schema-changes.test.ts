import { breakingChanges, describeUnrecorded, unrecorded } from './schema-changes';

const before = /* GraphQL */ `
  type Query {
    user(id: ID!): User
  }
  type User {
    id: ID!
    email: String
    name: String
  }
`;

describe('breaking changes of the API schema', () => {
  it('when a field is removed and an argument type changes, then both are breaking and reported unrecorded', async () => {
    const after = /* GraphQL */ `
      type Query {
        user(id: String!): User
      }
      type User {
        id: ID!
        name: String
      }
    `;
    const changes = await breakingChanges(before, after);
    expect(changes.map((change) => `${change.type} ${change.path}`).sort()).toEqual([
      'FIELD_ARGUMENT_TYPE_CHANGED Query.user.id',
      'FIELD_REMOVED User.email',
    ]);
    const report = describeUnrecorded(unrecorded(changes, []), 'schema/intended-breaks.json');
    expect(report).toContain("Field 'email' was removed from object type 'User'");
    expect(report).toContain('"path": "User.email"');
  });

  it('when a nullable field becomes non-null in an input, then the tightening is breaking', async () => {
    const withInput = (type: string) => `
      type Query { users(filter: Filter): [String] }
      input Filter { name: ${type} }
    `;
    const changes = await breakingChanges(withInput('String'), withInput('String!'));
    expect(changes.map((change) => change.path)).toEqual(['Filter.name']);
  });

  it('when fields are only added, then nothing is breaking', async () => {
    const after = before.replace('name: String', 'name: String\n    avatarUrl: String');
    expect(await breakingChanges(before, after)).toEqual([]);
  });

  it('when a break is recorded as intended (type and path), then it is no longer reported', async () => {
    const changes = await breakingChanges(before, before.replace('email: String', ''));
    expect(
      unrecorded(changes, [{ type: 'FIELD_REMOVED', path: 'User.email', reason: 'GDPR' }]),
    ).toEqual([]);
    expect(
      unrecorded(changes, [{ type: 'FIELD_REMOVED', path: 'User.name', reason: 'other field' }]),
    ).toHaveLength(1);
  });
});
