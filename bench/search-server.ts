import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

/*
 * The server the search benchmark talks to, in a process of its own so that
 * a request stuck in SQL (SQLite blocks the event loop) can be ended by
 * killing it. Configured by the environment; tells its parent its port.
 */
const app = await buildApp(loadConfig());
await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ port: (app.server.address() as AddressInfo).port });
