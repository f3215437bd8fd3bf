import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keepAliveFetcher } from '../src/http-fetcher';

// The gateway's subgraph fetcher: identical queries in flight at once share one request.

let requests: string[] = [];
let subgraph: Server;
let url: string;
const fetcher = keepAliveFetcher();

beforeAll(async () => {
  subgraph = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push(body);
      // Slow enough that the test's requests are all in flight together.
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: { echo: body.length } }));
      }, 50);
    });
  });
  await new Promise<void>((resolve) => subgraph.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  fetcher.close();
  await new Promise((resolve) => subgraph.close(resolve));
});
beforeEach(() => {
  requests = [];
});

const post = (query: string, authorization = 'Bearer a') =>
  fetcher.fetcher(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query, variables: { id: '1' } }),
  });

describe('in-flight deduplication of subgraph requests', () => {
  it('when the same query for the same caller is in flight five times, then the subgraph gets one request and all five get the answer', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post('query Q__gym__0 { me { id } }')),
    );
    expect(requests).toHaveLength(1);
    const bodies = await Promise.all(answers.map((answer) => answer.json()));
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
  });

  it('when callers differ, or the operation is a mutation, then every request goes through', async () => {
    await Promise.all([
      post('query Q__gym__0 { me { id } }', 'Bearer a'),
      post('query Q__gym__0 { me { id } }', 'Bearer b'),
    ]);
    expect(requests).toHaveLength(2);

    requests = [];
    await Promise.all([post('mutation M { checkIn }'), post('mutation M { checkIn }')]);
    expect(requests).toHaveLength(2);
  });

  it('when the first request has finished, then the next identical one is sent again', async () => {
    await post('query Q__gym__0 { me { id } }');
    await post('query Q__gym__0 { me { id } }');
    expect(requests).toHaveLength(2);
  });

  it('when deduplication is turned off, then each of five identical queries in flight is sent', async () => {
    const undeduplicated = keepAliveFetcher({ deduplicate: false });
    try {
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          undeduplicated.fetcher(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer a' },
            body: JSON.stringify({ query: 'query Q__gym__0 { me { id } }', variables: {} }),
          }),
        ),
      );
      expect(requests).toHaveLength(5);
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
    } finally {
      undeduplicated.close();
    }
  });
});
