// Module loader hooks for script model workers: `.ts` files are stripped of their types with
// sucrase, extensionless relative imports resolve like a bundler's, and a `model.js` written with
// `import`/`export` loads as an ES module even without a package.json saying so.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

let sucrase;
const EXTENSIONS = ['.ts', '.js', '.mjs', '/index.ts', '/index.js'];

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if (!relative || /\.[cm]?[jt]s$/.test(specifier)) throw err;
    for (const ext of EXTENSIONS) {
      try {
        return await next(specifier + ext, context);
      } catch {
        // try the next extension
      }
    }
    throw err;
  }
}

export async function load(url, context, next) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    sucrase ??= await import('sucrase');
    const source = await readFile(new URL(url), 'utf8');
    const { code } = sucrase.transform(source, { transforms: ['typescript'], filePath: fileURLToPath(url), disableESTransforms: true });
    return { format: 'module', source: code, shortCircuit: true };
  }
  const result = await next(url, context);
  if (result.format === 'commonjs' && url.startsWith('file:') && url.endsWith('.js') && !url.includes('/node_modules/')) {
    const source = await readFile(new URL(url), 'utf8');
    if (/^\s*(import\s|export\s)/m.test(source)) return { format: 'module', source, shortCircuit: true };
  }
  return result;
}
