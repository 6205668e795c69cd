// Writes docs/errors.md from the compiled catalogue (run after `npm run build`, or via tsx-free import of dist).
import { writeFileSync } from 'node:fs';
const { renderErrorsDoc } = await import('../dist/shared/errors/errors-doc.js');
writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
console.log('docs/errors.md written');
