/**
 * The wire: the server (API under /2/, admin under /_emulator/), the API pipeline (auth, rate
 * limits, usage cap, credits, faults), the endpoint handlers, page bodies and sending (gzip, wire
 * faults). The top layer: imports every other folder, and none imports it.
 */
export { handleApi } from './endpoint-handlers.js';
export { listen } from './server.js';
