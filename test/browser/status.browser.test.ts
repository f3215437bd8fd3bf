import type { Browser, Page } from 'playwright-core';
import { startGraph, type Graph } from '../e2e/support';
import { launchChromium, screenshot } from './chromium';

// The status page in a real Chromium, refreshing by itself: a subgraph that stops shows as down,
// and as up again once it is back, without a reload.

let graph: Graph;
let browser: Browser;
beforeAll(async () => {
  // No grace for a critical subgraph (decision 0026): the gateway reports gym down at once.
  [graph, browser] = await Promise.all([
    startGraph({ env: { CRITICAL_SUBGRAPH_GRACE_SECONDS: '0' } }),
    launchChromium(),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await graph?.stop();
});

// The page asks every 2 s; 5 s is what the page promises its reader.
const SHOWN_WITHIN_MS = 5_000;

const row = (page: Page, name: string, status: string) =>
  page.locator(`#subgraphs tr[data-name="${name}"][data-status="${status}"]`);

describe('the status page in a browser', () => {
  it('when a subgraph stops, then the page shows it down within 5 s, and up again within 5 s of its restart', async () => {
    const page = await browser.newPage();
    await page.goto(`${new URL(graph.gateway.url).origin}/status`);
    await row(page, 'gym', 'up').waitFor();
    await page.locator('#overall[data-status="up"]').waitFor();
    await screenshot(page, 'status-up');

    await graph.stopSubgraph('gym');
    await row(page, 'gym', 'down').waitFor({ timeout: SHOWN_WITHIN_MS });
    await page.locator('#overall[data-status="down"]').waitFor({ timeout: SHOWN_WITHIN_MS });
    expect(await row(page, 'identity', 'up').count()).toBe(1);
    await screenshot(page, 'status-gym-down');

    await graph.restartSubgraph('gym');
    await row(page, 'gym', 'up').waitFor({ timeout: SHOWN_WITHIN_MS });
    await page.locator('#overall[data-status="up"]').waitFor({ timeout: SHOWN_WITHIN_MS });
    await page.close();
  }, 60_000);
});
