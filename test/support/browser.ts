import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * A real browser for the dashboard's tests: Debian's headless Chromium driven by playwright-core
 * (no browser download). The browser is found at CHROMIUM_PATH, /usr/bin/chromium or on PATH;
 * where none is and this runs as root, Debian's `chromium` package is installed once (as
 * .ci/run does). `findChromium()` says why there is none, so a suite can skip with that reason.
 */

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));

function onPath(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

let found: { path: string } | { missing: string } | undefined;

export function findChromium(): { path: string } | { missing: string } {
  if (found) return found;
  const at = CANDIDATES.find((p) => existsSync(p)) ?? onPath('chromium');
  if (at) return (found = { path: at });
  if (process.getuid?.() !== 0) return (found = { missing: 'no Chromium (install Debian’s chromium package, or set CHROMIUM_PATH)' });
  try {
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'], { stdio: 'ignore', timeout: 600_000 });
  } catch {
    return (found = { missing: 'no Chromium, and apt-get install chromium failed' });
  }
  return (found = existsSync('/usr/bin/chromium') ? { path: '/usr/bin/chromium' } : { missing: 'apt-get installed chromium but /usr/bin/chromium is missing' });
}

export async function launchBrowser(): Promise<Browser> {
  const c = findChromium();
  if ('missing' in c) throw new Error(c.missing);
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: c.path, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** Where screenshots go, for a reviewer to look at (test-results/ is not committed). */
export const SHOTS = join(process.cwd(), 'test-results', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
