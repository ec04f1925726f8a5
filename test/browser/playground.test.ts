import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, launchBrowser, screenshot } from '../support/browser.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { redisEnv, testRedis, type TestRedis } from '../support/redis.js';

/**
 * The playground as a newcomer meets it: `npm start` with no chat credentials, the sign-in link
 * the terminal prints opened in headless Chromium, and a whole incident played with the mouse and
 * the message box: declare, the on-call person's page DM, ✅, the ack in the incident channel,
 * resolve, close, and the postmortem on the incident's page.
 */

const chromium = findChromium();
let dir: string;
let redis: TestRedis;
let bot: BotProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;

describe.skipIf('missing' in chromium)(`the playground in a browser${'missing' in chromium ? ` (skipped: ${chromium.missing})` : ''}`, () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'browser-pg-'));
    redis = await testRedis();
    await writeFile(
      join(dir, 'incident.yaml'),
      [
        'timeZone: Asia/Seoul',
        'services:',
        '  - id: checkout',
        '    name: Checkout API',
        'rotations:',
        '  - id: backend',
        '    name: Backend on-call',
        '    timeZone: Asia/Seoul',
        '    layers:',
        '      - members: [alice]',
        '        shift: 1w',
        '        handoff: "09:00"',
        '        start: 2026-01-05',
        'policies:',
        '  - id: default',
        '    name: On call',
        '    tiers:',
        '      - targets: [{ rotation: backend }]',
        '        delay: 5m',
        'defaultPolicy: default',
        'postmortems:',
        `  dir: ${join(dir, 'postmortems')}`,
      ].join('\n'),
    );
    bot = startBot('playground', { ...process.env, ...redisEnv(), KEY_PREFIX: redis.prefix, DATA_DIR: join(dir, 'data'), INCIDENT_CONFIG: join(dir, 'incident.yaml'), LOCAL_USER: 'bob', HOST: '127.0.0.1', DEMO_STEP_MS: '20' });
    const [, link] = await bot.waitFor(/sign in as @bob with (\S+) /, 20_000);
    base = new URL(link!).origin;
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-US' });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    await page.goto(link!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/incidents/);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    bot?.end();
    await bot?.waitForExit(15_000).catch(() => bot.kill());
    await redis?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const shows = (text: string | RegExp, timeout = 10_000) => page.locator('#pg-conversation').filter({ hasText: text }).waitFor({ timeout });

  it('plays a whole incident: declare, page, ✅, ack, resolve, close, postmortem', async () => {
    await page.goto(`${base}/playground`);
    await screenshot(page, 'playground-start');
    const say = async (text: string) => {
      await page.locator('#pg-text').fill(text);
      await page.locator('#pg-text').press('Enter');
    };
    await say('/incident declare Checkout is down --sev P1 --service checkout');
    await expect.poll(() => page.url(), { timeout: 10_000 }).toMatch(/c=inc-/);
    await shows('Checkout is down');
    await screenshot(page, 'playground-incident');
    const incidentUrl = page.url();
    // Bob keeps the incident channel open in a second tab: what follows must reach it live.
    const watching = await context.newPage();
    await watching.goto(incidentUrl);
    await watching.locator('#pg-conversation').filter({ hasText: 'waiting on @alice' }).waitFor();

    // The sidebar says alice has a new DM; its link acts as alice and opens it.
    const news = page.locator('#pg-sidebar .pg-others a', { hasText: '@alice' });
    await news.waitFor();
    expect(await news.innerText()).toContain('1 new');
    await news.click();
    await page.waitForURL(/c=dm-alice&as=alice/);
    const pageDm = page.locator('li.pg-msg', { hasText: 'You are paged: INC-1' });
    await pageDm.waitFor();
    expect(await pageDm.getByRole('button', { name: 'Acknowledge' }).isVisible()).toBe(true);
    await screenshot(page, 'playground-page-dm');
    await pageDm.getByRole('button', { name: 'React with ✅' }).click();
    // Alice is invited into the incident channel, and the page follows her there.
    await shows('acknowledged by @alice');
    expect(page.url()).toContain('c=inc-1-checkout-is-down');
    // Bob's tab shows the ack without a reload.
    await watching.locator('#pg-conversation').filter({ hasText: 'acknowledged by @alice' }).waitFor();
    expect(await watching.locator('#pg-conversation').innerText()).not.toContain('waiting on @alice');
    await screenshot(watching, 'playground-acked');
    await watching.close();

    // Back to bob with the switcher: the same channel, as him.
    // (Choosing submits the switcher at once; its button is for pages without JavaScript.)
    await page.locator('select[name=as]').selectOption('bob');
    await page.waitForURL(/as=bob/);
    expect(page.url()).toBe(incidentUrl);
    await say('/incident resolve Rolled back the deploy');
    await shows('@bob resolved INC-1');
    await say('/incident close');
    await shows('INC-1 is closed. Postmortem draft:');
    await screenshot(page, 'playground-closed');

    // The close's answer links the incident's dashboard page, with the postmortem rendered.
    await page.locator('.pg-msg', { hasText: 'INC-1 is closed' }).getByRole('link', { name: 'INC-1', exact: true }).first().click();
    await page.waitForURL(/\/incidents\/local\/1$/);
    const pm = page.locator('section.incident-postmortem article.markdown');
    await pm.waitFor();
    expect(await pm.locator('h1, h2').first().innerText()).toContain('Postmortem: INC-1 Checkout is down');
    // Rendered from Markdown: a real table, not pipes.
    expect(await pm.locator('table').count()).toBeGreaterThan(0);
    expect(await page.locator('main').innerText()).toMatch(/alice\s+·\s+[\d-]+ [\d:]+\s+·\s+after under a minute/);
    await screenshot(page, 'incident-page');
    // Its chat channel opens in the playground.
    expect(await page.locator('section.incident-summary').getByRole('link', { name: '#inc-1-checkout-is-down' }).getAttribute('href')).toBe('/playground?c=inc-1-checkout-is-down');
    await page.goto(`${base}/incidents`);
    expect(await page.locator('tr', { hasText: 'Checkout is down' }).innerText()).toContain('closed');
  }, 90_000);

  it('plays the sale-day demo in the page, live, and leaves its incident behind', async () => {
    await page.goto(`${base}/playground?c=general&as=bob`);
    await page.getByRole('button', { name: 'Play the demo' }).click();
    await page.locator('#pg-demo', { hasText: 'The demo is over' }).waitFor({ timeout: 30_000 });
    const log = await page.locator('.pg-demo-log').innerText();
    expect(log).toContain('/incident declare Sale-day outage');
    expect(log).toMatch(/reacted ✅/);
    // The page followed the demo into its incident channel by itself, and the sidebar lists it.
    expect(page.url()).toContain('c=inc-2-sale-day-outage');
    await page.locator('#pg-sidebar a[aria-current=page]', { hasText: /inc-2-sale-day-outage/ }).waitFor();
    await shows('Sale-day outage: API thread pool exhausted');
    await shows(/@\w+ acknowledged INC-2/);
    await screenshot(page, 'playground-demo');
    await page.goto(`${base}/incidents`);
    expect(await page.locator('tbody tr', { hasText: 'Sale-day outage' }).innerText()).toContain('closed');
  }, 60_000);
});
