import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { startGraph, type Graph } from '../e2e/support';
import { launchChromium, screenshot } from './chromium';

// CORS as a browser enforces it: a page from an origin on CORS_ORIGINS gets the gateway's data over
// fetch (after a preflight) and opens a graphql-ws socket; a page from any other origin gets
// neither.

/** What a page learns when it calls the gateway: a fetch with a preflight, and a WebSocket. */
interface Attempt {
  http: { ok: true; body: unknown } | { ok: false; error: string };
  ws: { opened: true; answer: string } | { opened: false; code: number };
}

// The page's own script: a JSON POST (content-type: application/json needs a preflight) and a
// graphql-ws connection_init; it shows what happened and keeps it for the test.
const pageScript = (graphqlUrl: string) => `
window.attempt = (async () => {
  const attempt = {};
  try {
    const response = await fetch(${JSON.stringify(graphqlUrl)}, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query Typename { __typename }' }),
    });
    attempt.http = { ok: true, body: await response.json() };
  } catch (error) {
    attempt.http = { ok: false, error: String(error) };
  }
  attempt.ws = await new Promise((resolve) => {
    const socket = new WebSocket(${JSON.stringify(graphqlUrl.replace(/^http/, 'ws'))}, 'graphql-transport-ws');
    socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init' }));
    socket.onmessage = (message) => {
      resolve({ opened: true, answer: JSON.parse(message.data).type });
      socket.close();
    };
    socket.onclose = (event) => resolve({ opened: false, code: event.code });
  });
  document.getElementById('attempt').textContent = JSON.stringify(attempt, null, 2);
  return attempt;
})();
`;

/** A web app's server: one page, on a port of its own (an origin of its own). */
function pageServer(graphqlUrl: () => string): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>A web app</title></head>
<body><h1>A web app on http://${req.headers.host}</h1><pre id="attempt">calling the gateway…</pre>
<script>${pageScript(graphqlUrl())}</script></body></html>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const originOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

let graph: Graph;
let browser: Browser;
let allowedApp: Server;
let otherApp: Server;
beforeAll(async () => {
  allowedApp = await pageServer(() => graph.gateway.url);
  otherApp = await pageServer(() => graph.gateway.url);
  [graph, browser] = await Promise.all([
    startGraph({ env: { CORS_ORIGINS: originOf(allowedApp) } }),
    launchChromium(),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await graph?.stop();
  await Promise.all(
    [allowedApp, otherApp].map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

async function attemptFrom(app: Server, name: string): Promise<Attempt> {
  const page = await browser.newPage();
  try {
    await page.goto(originOf(app));
    const attempt = await page.evaluate(() => (window as unknown as { attempt: Attempt }).attempt);
    await screenshot(page, name);
    return attempt;
  } finally {
    await page.close();
  }
}

describe('CORS in a browser', () => {
  it('when a page from an origin on CORS_ORIGINS calls the gateway, then it gets the data and opens a WebSocket', async () => {
    const attempt = await attemptFrom(allowedApp, 'cors-allowed-origin');
    expect(attempt.http).toEqual({ ok: true, body: { data: { __typename: 'Query' } } });
    expect(attempt.ws).toEqual({ opened: true, answer: 'connection_ack' });
  });

  it('when a page from an origin not on CORS_ORIGINS calls the gateway, then the fetch fails and the WebSocket is refused', async () => {
    const attempt = await attemptFrom(otherApp, 'cors-refused-origin');
    expect(attempt.http).toEqual({ ok: false, error: 'TypeError: Failed to fetch' });
    expect(attempt.ws).toEqual({ opened: false, code: 1006 });
  });
});
