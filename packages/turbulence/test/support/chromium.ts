/**
 * Real Debian Chromium through playwright-core (no browser download): the gate (skip with a printed reason when
 * /usr/bin/chromium is missing, fail in CI) and one launch with the flags that keep it off the network.
 * Tests that use it run under `flock /tmp/tb-system.lock`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inCI } from './system.js';

export const CHROMIUM = '/usr/bin/chromium';

/** `{ skip, reason }` for Chromium; throws in CI when it is missing. */
export function requireChromium(): { skip: boolean; reason: string } {
  if (existsSync(CHROMIUM)) return { skip: false, reason: '' };
  const reason = `needs ${CHROMIUM} (install the chromium package with scripts/setup-system.sh)`;
  if (inCI) throw new Error(`system test prerequisite missing in CI: ${reason}`);
  console.warn(`[skip] ${reason}`);
  return { skip: true, reason };
}

/** Launches headless Chromium with no sandbox, no GPU and no background network traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
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

/** What a page did: console errors, page errors and every request it made. */
export interface PageRecord {
  errors: string[];
  requests: string[];
}

/** Records console errors, uncaught page errors and requests of `page`. */
export function recordPage(page: Page): PageRecord {
  const record: PageRecord = { errors: [], requests: [] };
  page.on('console', (m) => m.type() === 'error' && record.errors.push(m.text()));
  page.on('pageerror', (e) => record.errors.push(e.message));
  page.on('request', (r) => record.requests.push(r.url()));
  return record;
}

/** The git-ignored folder for screenshots of test runs (`test-artifacts/screenshots` at the repo root). */
export function screenshotDir(): string {
  const dir = resolve(import.meta.dirname, '../../../../test-artifacts/screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Path of a screenshot in {@link screenshotDir}. */
export const screenshotPath = (name: string): string => join(screenshotDir(), name);
