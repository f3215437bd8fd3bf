import { freePort } from '@fitnexa/shared/testing';
import { eventually } from '@fitnexa/shared/testing/realtime';
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import type { Browser, Page } from 'playwright-core';
import { startGraph, type Graph } from '../e2e/support';
import { launchChromium, screenshot } from './chromium';
import { serveWebApp, type ServedWebApp } from './web-app';

// The member web app (clients/web, built with Vite) in Chromium against the composed graph, from
// an origin the gateway allows.

let graph: Graph;
let web: ServedWebApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // The web app's origin is the gateway's allowed one, so its port is chosen first; it is taken
  // only after the build.
  const port = await freePort();
  graph = await startGraph({
    seedDemoData: true,
    env: { CORS_ORIGINS: `http://127.0.0.1:${port}` },
  });
  web = await serveWebApp(graph.gateway.url, port);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await graph?.stop();
});
beforeEach(async () => {
  page = await browser.newPage();
});
afterEach(() => page.close());

async function logInAsDemoMember() {
  await page.goto(web.origin);
  await page.getByTestId('login-email').fill(DEMO_USERS.member.email);
  await page.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('dashboard').waitFor();
}

const texts = (testId: string) => page.getByTestId(testId).allInnerTexts();

describe('the member web app in a browser', () => {
  it('when the demo member logs in, then the dashboard shows their memberships, next classes, last workouts and records', async () => {
    await page.goto(web.origin);
    await page.getByTestId('login-form').waitFor();
    await screenshot(page, 'web-app-login');

    await logInAsDemoMember();

    expect(await page.getByTestId('member-name').innerText()).toContain(
      DEMO_USERS.member.displayName,
    );
    expect((await texts('membership')).length).toBeGreaterThan(0);
    const classes = await texts('booked-class');
    expect(classes.length).toBeGreaterThan(0);
    expect(classes[0]).toContain(DEMO_USERS.coach.displayName);
    expect(await texts('workout')).toHaveLength(5);
    expect((await texts('personal-record')).length).toBeGreaterThan(0);
    expect(await texts('squad')).toEqual([expect.stringContaining('Mitte Lifters')]);
    await screenshot(page, 'web-app-dashboard');
  });

  it('when the wrong password is given, then the page says so and shows no dashboard', async () => {
    await page.goto(web.origin);
    await page.getByTestId('login-email').fill(DEMO_USERS.member.email);
    await page.getByTestId('login-password').fill('not the password 1');
    await page.getByTestId('login-submit').click();

    expect(await page.getByTestId('login-error').innerText()).toBe('Wrong email or password.');
    expect(await page.getByTestId('dashboard').count()).toBe(0);
  });

  it('when another squad member sends a message, then it appears in the open squad chat within 2 s', async () => {
    await logInAsDemoMember();
    await page.getByTestId('open-squad-chat').click();
    await page.getByTestId('chat').waitFor();
    const coach = await graph.logIn(DEMO_USERS.coach.email, DEMO_PASSWORD);
    const { squad } = await graph.as(
      coach.token,
      'query S($id: ID!) { squad(id: $id) { conversation { id } } }',
      { id: await demoSquadId() },
    );
    const conversationId: string = squad.conversation.id;
    // The page's subscription has reached the messaging subgraph.
    await eventually(
      () => graph.subgraphs.messaging.hub.subscriptionCount(`conversation:${conversationId}`) > 0,
      'the chat subscription',
    );

    const body = `Deadlifts at 7? ${Date.now()}`;
    await graph.as(
      coach.token,
      'mutation M($id: ID!, $body: String!) { sendMessage(conversationId: $id, body: $body) { id } }',
      { id: conversationId, body },
    );

    const message = page.getByTestId('chat-message').filter({ hasText: body });
    await message.waitFor({ timeout: 2_000 });
    expect(await message.innerText()).toBe(`${DEMO_USERS.coach.displayName}: ${body}`);
    await screenshot(page, 'web-app-squad-chat');
  });
});

async function demoSquadId(): Promise<string> {
  const member = await graph.logIn(DEMO_USERS.member.email, DEMO_PASSWORD);
  const { me } = await graph.as(member.token, '{ me { squads { id } } }');
  return me.squads[0].id;
}
