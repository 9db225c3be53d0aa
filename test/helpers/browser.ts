// What every browser test sets up: the site of a web fixture on a loopback port, Debian's headless Chromium with
// the flags the machine needs, a viewer's session, a page that records console errors and failed requests,
// and the painted pixels of a chart.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApp, createWebServer } from '../../web/app';
import { createServices } from '../../src/services';
import { createSession } from '../../src/auth';
import type { WebFixture } from './web-fixture';
import { ensureUser } from './web-auth';

export interface Site {
  base: string;
  server: http.Server;
  close(): Promise<void>;
}

/** The fixture's site (real services, the fixture's clock) on 127.0.0.1 at a free port. */
export async function startSite(f: WebFixture): Promise<Site> {
  const server = createWebServer(createApp({ ...createServices(f.db, f.config), now: f.now }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Debian's Chromium, headless, with nothing reaching out to the network on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** The session cookie value of a user with this role (created when missing). */
export function sessionFor(f: WebFixture, login: string, role: 'viewer' | 'editor' | 'admin' = 'viewer'): string {
  ensureUser(f.db, login, role);
  return createSession(f.db, f.db.prepare('SELECT id FROM users WHERE login = ?').pluck().get(login) as number).cookie;
}

/** Signs the context in with a session cookie and fails every request that would leave the test server. */
export async function prepareContext(context: BrowserContext, base: string, sessionCookie: string): Promise<void> {
  await context.addCookies([{ name: 'ag_session', value: sessionCookie, url: base }]);
  await context.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
}

/** Records console errors and warnings, page errors, failed requests and HTTP errors of a page. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // the browser fetches the icon after the page's load event; a test's next page.goto may cancel it
    // (net::ERR_ABORTED), which no user sees. Every other failed request is a problem.
    if (/\/static\/favicon\.[0-9a-f]+\.svg$/.test(r.url()) && r.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${r.url()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

/** Pixels of a chart's canvas that are not transparent, once the chart says it is drawn. */
export async function paintedPixels(page: Page, selector: string): Promise<number> {
  await page.waitForSelector(`${selector}[data-ready="1"]`);
  return page.$eval(selector, (el) => {
    const c = el as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });
}
