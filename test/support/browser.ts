import fs from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Where Debian (and most distributions) put Chromium; `UT_CHROMIUM` names another. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium(): string | undefined {
  const named = process.env.UT_CHROMIUM;
  if (named) return fs.existsSync(named) ? named : undefined;
  return CANDIDATES.find((candidate) => fs.existsSync(candidate));
}

/** Headless Chromium as a person's browser would open a page: media may play without a click (the test clicks nothing to start them). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--mute-audio', '--disable-gpu'],
  });
}
