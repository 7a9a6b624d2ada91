// Starts the engine host from its TypeScript source under plain Node (tests): the script workers'
// loader hooks (sucrase) strip the types, test-hooks.mjs does what the bundler does beyond that
// (`?raw` and JSON imports), then the entry runs as it does when built.
import { register } from 'node:module';

register(new URL('../../engine/backends/script/hooks.mjs', import.meta.url));
register(new URL('./test-hooks.mjs', import.meta.url));
await import(new URL('../main.ts', import.meta.url).href);
