import type { AddressInfo } from 'node:net';
import { Browser, chromium, Page } from 'playwright-core';
import { bearer, PASSWORD, seedWorld, World } from './support/fixtures';
import { createTestApp, TestApp } from './support/test-app';

/** Debian's Chromium (`apt-get install chromium`); .ci/run installs it when it is missing. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The QR scan pages in a real headless browser: what a phone shows after scanning a label,
 * for anyone signed out, for a member of the owner, for a member of another organization and
 * for center staff, who act on the sample through the page.
 */
describe('scan pages in a browser', () => {
  let t: TestApp;
  let world: World;
  let browser: Browser;
  let base: string;
  let sample: { id: string; code: string; labelId: string; name: string };
  let shelf: { id: string; labelId: string };

  beforeAll(async () => {
    t = await createTestApp({ env: { PUBLIC_URL: 'http://127.0.0.1' } });
    world = await seedWorld(t);
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    shelf = (await t.http().post('/api/v1/locations').set(bearer(world.tokens.staff)).send({ centerId: world.centers.kns.id, name: 'Desiccator D1', kind: 'cabinet' }).expect(201)).body;
    sample = (
      await t
        .http()
        .post('/api/v1/samples')
        .set(bearer(world.tokens.memberA))
        .send({ centerId: world.centers.kns.id, projectId: world.projects.a.id, name: 'ペロブスカイト膜 F-12', form: 'film', hazards: ['GHS06', 'GHS08'] })
        .expect(201)
    ).body;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A fresh browser context (no cookies) that opens the label's page and signs in if asked. */
  async function scanAs(email?: string): Promise<Page> {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The QR code carries the upper-case URL; the page answers it as is.
    await page.goto(`${base}/S/${sample.labelId}`);
    if (email) {
      await page.fill('input[name=email]', email);
      await page.fill('input[name=password]', PASSWORD);
      await Promise.all([page.waitForURL(`${base}/S/${sample.labelId}`), page.click('button:has-text("Sign in")')]);
    }
    return page;
  }

  it('shows someone signed out the center, its contact and the hazard pictograms, nothing else', async () => {
    const page = await scanAs();
    const text = await page.textContent('main');
    expect(text).toContain('Kanto Center');
    expect(text).toContain('GHS06');
    expect(text).toContain('Health hazard');
    expect(text).not.toContain(sample.code);
    expect(text).not.toContain(sample.name);
    expect(await page.locator('svg[aria-label="Skull and crossbones"]').count()).toBe(1);
    await page.context().close();
  });

  it('shows a member of the owner organization the sample read-only', async () => {
    const page = await scanAs('a@alpha.test');
    expect(await page.textContent('h1')).toBe(sample.code);
    expect(await page.textContent('main')).toContain(sample.name);
    expect(await page.locator('form.action').count()).toBe(0);
    await page.context().close();
  });

  it('shows a member of another organization the same page as someone signed out', async () => {
    const page = await scanAs('b@beta.test');
    const text = await page.textContent('main');
    expect(text).not.toContain(sample.code);
    expect(text).not.toContain(sample.name);
    expect(text).toContain('GHS06');
    await page.context().close();
  });

  it('lets staff receive the sample into a cabinet, then hold it, through the page', async () => {
    const page = await scanAs('staff@hub.test');
    expect(await page.locator('form.action').count()).toBeGreaterThan(0);
    const receive = page.locator('form[data-action=receive]');
    await receive.locator('select[name=condition]').selectOption('intact');
    await receive.locator('input[name=locationLabel]').fill(shelf.labelId);
    await Promise.all([page.waitForURL(/done=receive/), receive.locator('button').click()]);
    expect(await page.textContent('[role=status]')).toContain('Recorded: receive');
    expect(await page.getAttribute('.state', 'data-state')).toBe('available');
    expect(await page.textContent('main')).toContain('Desiccator D1');

    const hold = page.locator('form[data-action=hold]');
    await hold.locator('input[name=reason]').fill('awaiting safety review');
    await Promise.all([page.waitForURL(/done=hold/), hold.locator('button').click()]);
    expect(await page.getAttribute('.state', 'data-state')).toBe('on_hold');

    const events = (await t.http().get(`/api/v1/samples/${sample.id}/events`).set(bearer(world.tokens.staff))).body.items;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['registered', 'received', 'location_changed', 'hold_placed']);
    expect(events[3]).toMatchObject({ source: 'scan', scannedLabel: sample.labelId, reason: 'awaiting safety review', actorId: world.users.staff.id });

    await page.goto(`${base}/S/${shelf.labelId}`);
    expect(await page.getAttribute('[data-occupancy]', 'data-occupancy')).toBe('1');
    await page.context().close();
  });
});
