/**
 * The engine process's entry (`out/main/engine-host.js`): started by the desktop shell with Electron's
 * utilityProcess, or with plain Node's `child_process.fork(..., { serialization: 'advanced' })` by the
 * tests and the packaging test. It waits for `init` (protocol.ts) and runs the engine (host.ts).
 */
import { errorMessage } from '../engine/errors';
import { parentChannel } from './channel';
import { EngineHost } from './host';

const channel = parentChannel();
const host = new EngineHost(channel);
host.listen();

// A stray rejection is logged, as it was when the engine ran in Electron's main process; it does not end the engine.
process.on('unhandledRejection', (reason) => host.log(`unhandled rejection in the engine: ${errorMessage(reason)}`));
// Forked under Node: when main goes away, so does the engine (utilityProcess children end with the app).
process.on('disconnect', () => void host.shutdown());
