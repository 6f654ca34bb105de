/** The page's stylesheet, inline: the page loads nothing from outside the archive. */
export const PAGE_STYLE = `
:root { font-family: system-ui, sans-serif; color: #1d2430; background: #f6f7f9; }
body { margin: 0 auto; max-width: 1100px; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.4rem; margin: 0.5rem 0; word-break: break-all; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
h3 { font-size: 1rem; margin: 0 0 0.4rem; word-break: break-all; }
table { border-collapse: collapse; font-size: 0.9rem; background: #fff; }
th, td { border: 1px solid #d5d9e0; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
.meta { color: #555f6d; font-size: 0.9rem; }
.reels { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; background: #fff; padding: 0.5rem; border: 1px solid #d5d9e0; border-radius: 6px; }
figcaption { font-size: 0.85rem; margin-top: 0.3rem; max-width: 320px; overflow-wrap: anywhere; }
video { width: 320px; height: 180px; background: #000; display: block; }
.session-row { display: grid; grid-template-columns: 340px 1fr; gap: 1rem; background: #fff; border: 1px solid #d5d9e0; border-radius: 6px; padding: 0.75rem; margin: 0.75rem 0; }
.session-row.withdrawn { border-color: #b45309; background: #fffbeb; }
.player { width: 320px; min-height: 180px; background: #1d2430; color: #fff; display: flex; align-items: center; justify-content: center; }
.player.none { background: #e6e8ec; color: #555f6d; font-size: 0.85rem; text-align: center; padding: 0 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 0.8rem; margin: 0.3rem 0; font-size: 0.9rem; }
dt { color: #555f6d; }
dd { margin: 0; overflow-wrap: anywhere; }
.clips { padding-left: 1.2rem; font-size: 0.9rem; }
.clips li { margin: 0.3rem 0; overflow-wrap: anywhere; }
.clips video { margin-top: 0.3rem; }
button { font: inherit; font-size: 0.85rem; cursor: pointer; }
.notes { color: #8a4b00; font-size: 0.85rem; }
#search-input { font: inherit; width: min(480px, 100%); padding: 0.3rem; }
#search-results { font-size: 0.9rem; padding-left: 1.2rem; }
#search-results li { margin: 0.2rem 0; }
#search-results button { text-align: left; background: none; border: none; color: #0b57d0; padding: 0; }
mark { background: #ffe58a; }
`;
