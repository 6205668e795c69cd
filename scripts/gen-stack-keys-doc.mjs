// Writes the key table of docs/design/stack.md (between its key-table markers) from the compiled
// decision table (run after `npm run build`; `npm run gen:stack-keys-doc` does both).
import { readFileSync, writeFileSync } from 'node:fs';
const { renderKeyTable } = await import('../dist/shared/stack/key-table.js');
const file = new URL('../docs/design/stack.md', import.meta.url);
const doc = readFileSync(file, 'utf8');
const start = '<!-- key-table:start -->\n';
const end = '<!-- key-table:end -->';
const a = doc.indexOf(start);
const b = doc.indexOf(end);
if (a < 0 || b < a) throw new Error('docs/design/stack.md has no key-table markers');
writeFileSync(file, doc.slice(0, a + start.length) + renderKeyTable() + doc.slice(b));
console.log('docs/design/stack.md key table written');
