import { untilPasses } from '@fitnexa/shared/testing';
import type { Browser } from 'playwright-core';
import { startGraph, type Graph } from '../e2e/support';
import { launchChromium, screenshot } from './chromium';

// The explorer in a real Chromium: everything it loads comes from the gateway on this machine
// (no CDN), and a query typed into GraphiQL runs through the gateway.

let graph: Graph;
let browser: Browser;
beforeAll(async () => {
  [graph, browser] = await Promise.all([startGraph({ seedDemoData: true }), launchChromium()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await graph?.stop();
});

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

describe('the explorer in a browser', () => {
  it('when the explorer page loads and a query is typed and run, then the result shows and no request left the machine', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('websocket', (socket) => requested.push(socket.url()));

    await page.goto(`${new URL(graph.gateway.url).origin}/explorer`);
    const editor = page.locator('.graphiql-query-editor .CodeMirror');
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    // CodeMirror closes brackets as they open: the closing ones typed step over them.
    await page.keyboard.type(
      'query GymsNear { gymsNear(lat: 52.52, lng: 13.405, radiusKm: 5) { edges { node { name } } } }',
    );
    // GraphiQL reads the operation's name from the editor a moment after typing stops: until then
    // a run asks for the one before (Login). Run again until the answer is this query's.
    const result = page.locator('.result-window');
    await untilPasses(async () => {
      await page.locator('.graphiql-execute-button').click();
      await result.getByText('FitNexa Mitte').first().waitFor({ timeout: 2_000 });
    }, 20_000);
    expect(await result.innerText()).not.toContain('"errors"');
    await screenshot(page, 'explorer');

    const network = requested.filter((url) => /^(https?|wss?):/.test(url));
    expect(network.length).toBeGreaterThan(5);
    const away = network.filter((url) => !LOCAL_HOSTS.has(new URL(url).hostname));
    expect(away).toEqual([]);
    expect(network).toContain(graph.gateway.url);
    await page.close();
  }, 60_000);
});
