/**
 * Headless Chromium for the HTML report tests: Debian's `chromium` package through playwright-core
 * (`npm test` installs it when missing: scripts/setup-test-env.mjs; CHROMIUM_PATH points elsewhere),
 * offline, and the directory the screenshots are kept in (gitignored).
 */
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';

function onPath(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find((f) => existsSync(f));
}

/** The Chromium binary the tests drive. */
export const CHROMIUM =
  process.env.CHROMIUM_PATH ?? onPath('chromium') ?? onPath('chromium-browser') ?? '/usr/bin/chromium';

/** Where the report tests keep their screenshots after the run (under the gitignored `.scratch/`). */
export const ARTIFACTS = resolve('.scratch/artifacts/dashboards-html');

/** Launch Chromium headless with its network-using background services off. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
