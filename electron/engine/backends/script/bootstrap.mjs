// First code in a script model's worker: installs the loader hooks (TypeScript, ES-module model.js)
// before anything else is imported, then starts the worker proper.
import { register } from 'node:module';
import { workerData } from 'node:worker_threads';

register(workerData.hooksUrl);
await import(workerData.entryUrl);
