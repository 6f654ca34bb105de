/**
 * The few browser objects that functions run in the archive page (`page.evaluate`,
 * `waitForFunction`) touch, typed here so the Node program (tsconfig.json) does not take in the
 * DOM library. Types only: puppeteer sends those functions to the browser as source, so inside
 * them the page is reached as `globalThis as unknown as PageWindow`, never through an import.
 */
export interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  scrollIntoView(options?: { block?: 'start' | 'center' | 'end' | 'nearest' }): void;
  getBoundingClientRect(): { top: number; bottom: number };
  closest(selector: string): PageElement | null;
  querySelector<E extends PageElement = PageElement>(selector: string): E | null;
  querySelectorAll<E extends PageElement = PageElement>(selector: string): ArrayLike<E>;
}

export interface PageTextTrack {
  kind: string;
  mode: string;
  cues: ArrayLike<{ startTime: number }> | null;
}

export interface PageVideo extends PageElement {
  muted: boolean;
  readyState: number;
  duration: number;
  currentTime: number;
  seeking: boolean;
  textTracks: ArrayLike<PageTextTrack>;
  play(): Promise<void>;
  pause(): void;
}

export interface PageWindow {
  document: Pick<PageElement, 'querySelector' | 'querySelectorAll'>;
  scrollTo(x: number, y: number): void;
  /** Set by the hostile texts' payloads if one ever ran as script. */
  pwned?: boolean;
}
