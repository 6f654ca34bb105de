import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM_COMMANDS, locateChromium } from '../../scripts/tools';

/** Chromium's path (`UT_CHROMIUM`, or chromium on PATH; scripts/tools.js), or undefined with why it is missing. */
export function findChromium(): { path: string } | { missing: string } {
  const found = locateChromium();
  if (found) return { path: found.path };
  const looked = process.env.UT_CHROMIUM ? `UT_CHROMIUM=${process.env.UT_CHROMIUM} is not an executable file` : `no ${CHROMIUM_COMMANDS.join('/')} on PATH`;
  // install-tools.js (npm test's pretest) tried apt-get and printed why it could not install it.
  return { missing: `no Chromium: ${looked}; as root, apt-get install chromium (the set-up's output above says why it did not)` };
}

/** Headless Chromium as a person's browser would open a page: media may play without a click (the test clicks nothing to start them). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--mute-audio', '--disable-gpu'],
  });
}
