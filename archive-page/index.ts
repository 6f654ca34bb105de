/** The pages people open to look at an archive: one per test and one listing the tests (docs/archive-page.md). */
export { writeTestPage, writeArchiveIndex, pageManifestAsset, archivedTestOf, pageDataOf } from './write-pages';
export { renderTestPage, PAGE_DATA_ID } from './render-test-page';
export { buildPageModel, PAGE_TRANSCRIPT_BUDGET_BYTES, type PageModel, type PageModelOptions } from './page-model';
export { escapeHtml } from './escape';
export type { ArchivedTest } from './render-archive-index';
