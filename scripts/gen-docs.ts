// Rewrites the generated defaults table of docs/configuration.md from src/config/defaults.ts and
// src/config/settings.ts (`npm run docs`); test/unit/defaults-table.test.ts fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { DOCS_MARKERS, defaultsMarkdown } from '../src/config/settings.js';

const file = new URL('../docs/configuration.md', import.meta.url);
const text = readFileSync(file, 'utf8');
const start = text.indexOf(DOCS_MARKERS.start);
const end = text.indexOf(DOCS_MARKERS.end);
if (start < 0 || end < start) throw new Error('docs/configuration.md: the defaults markers are missing');
const block = `${DOCS_MARKERS.start}\n${defaultsMarkdown()}\n${DOCS_MARKERS.end}`;
writeFileSync(file, text.slice(0, start) + block + text.slice(end + DOCS_MARKERS.end.length));
process.stdout.write('wrote the defaults table of docs/configuration.md\n');
