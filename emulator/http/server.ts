import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EmulatorController, LivePublisher } from '../admin/index.js';
import { SERVER_ERRORS } from '../api/index.js';
import type { EmulatorOptions, RunningEmulator } from '../options.js';
import { send } from './send.js';
import { ADMIN_PREFIX, serveAdmin } from './serve-admin.js';
import { serveApi } from './serve-api.js';

/** Serves an existing world over HTTP (the API under /2/, the admin API under /_emulator/). */
export async function listen(
  controller: EmulatorController,
  options: EmulatorOptions = {},
): Promise<RunningEmulator> {
  const hanging = new Set<ServerResponse>();
  // With an explicit token list, the tokens of `apps` are accepted too.
  const tokens =
    options.tokens === undefined
      ? undefined
      : [...options.tokens, ...Object.values(options.apps ?? {}).flat()];
  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname.startsWith(ADMIN_PREFIX)) {
      void serveAdmin(controller, req, res, url);
      return;
    }
    try {
      serveApi(controller, req, res, url, hanging, tokens);
    } catch (error) {
      // An emulator bug must surface as a 500 (and in the log), never crash the test process.
      controller.record({
        at: new Date(controller.now()).toISOString(),
        method: req.method ?? 'GET',
        url: req.url ?? '',
        status: 500,
        served: 0,
      });
      if (!res.headersSent) send(req, res, SERVER_ERRORS[500], undefined);
      else res.destroy(error instanceof Error ? error : undefined);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const publisher = new LivePublisher(controller, options.publishRate ?? 0);
  publisher.start();
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      publisher.stop();
      for (const res of hanging) res.socket?.destroy();
      hanging.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    publish: (request) => controller.publish(request),
    groundTruth: (request) => controller.groundTruth(request),
    setFaults: (faults) => controller.setFaults(faults),
    setLimits: (update) => controller.setLimits(update),
    setCredits: (update) => controller.setCredits(update),
    credits: () => controller.state.billing.balance,
    now: () => controller.now(),
    setClock: (ms) => controller.state.clock.set(ms),
    advanceClock: (ms) => controller.state.clock.advance(ms),
    reset: (world) => controller.reset(world),
    requestLog: () => controller.log,
    statusCounts: () => Object.fromEntries(controller.statusCounts),
    users: () => {
      const { users, posts } = controller.state.world;
      return users.users.map((u, i) => ({
        id: u.id,
        username: u.username,
        posts: posts.byAuthor[i]?.length ?? 0,
        mentions: posts.byMention[i]?.length ?? 0,
      }));
    },
  };
}
