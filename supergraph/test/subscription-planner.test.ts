import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSubscriptionPlanner } from '../src/subscriptions/planner';

// Which subscriptions' events may be resolved once for every caller (decision 0031): only those
// whose per-event plan fetches nothing but fields their subgraph declares @sameForEveryCaller, on
// the real supergraph.

const planner = createSubscriptionPlanner({
  supergraphSdl: readFileSync(join(__dirname, '..', '..', 'schema', 'supergraph.graphql'), 'utf8'),
});
const messageAdded = (selection: string) =>
  `subscription M($id: ID!) { messageAdded(conversationId: $id) { ${selection} } }`;

describe('subscriptions resolved once for every caller', () => {
  it.each([
    ['the event alone (nothing fetched)', 'id body sender { id }'],
    ['a declared field', 'body sender { displayName }'],
    ['a declared field in an inline fragment', 'body sender { ... on User { displayName } }'],
  ])('when a subscription selects %s, then its events may be shared', (_what, selection) => {
    expect(planner.plan(messageAdded(selection), 'M').sameForEveryCaller).toBe(true);
  });

  it.each([
    ['a field that depends on the caller (email)', 'body sender { displayName email }'],
    ['a field nobody declared (role)', 'body sender { role }'],
  ])(
    'when a subscription selects %s, then its events are resolved per caller',
    (_what, selection) => {
      expect(planner.plan(messageAdded(selection), 'M').sameForEveryCaller).toBe(false);
    },
  );
});
