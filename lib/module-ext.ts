// The extension of this project's own modules as they run: `.ts` from the sources (through tsx),
// `.js` from the compiled dist/ (scripts/build-dist.mjs). Code that finds modules by listing a folder
// (verbs, table declarations) matches on it, so both trees work.
export const MODULE_EXT: '.ts' | '.js' = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
