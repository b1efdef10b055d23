import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/* A real webhook receiver on 127.0.0.1: it records what it is sent and answers the status it is told. */

export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Receiver {
  readonly received: Received[];
  /** The status the next requests are answered with. */
  status: number;
  /** How long each answer waits, so that a delivery is in flight a while. */
  delayMs: number;
  readonly port: number;
  url(path?: string): string;
  /** Stops listening: connections are then refused, until start() listens on the same port again. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  let server: Server | undefined;
  const receiver = {
    received: [] as Received[],
    status: 200,
    delayMs: 0,
    port,
    url: (path = '/hook') => `http://127.0.0.1:${receiver.port}${path}`,
    async start() {
      server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          receiver.received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
          const answer = () => response.writeHead(receiver.status, { 'content-type': 'text/plain' }).end('ok');
          if (receiver.delayMs > 0) setTimeout(answer, receiver.delayMs);
          else answer();
        });
      });
      await new Promise<void>((resolve) => server!.listen(receiver.port, '127.0.0.1', resolve));
      receiver.port = (server.address() as AddressInfo).port;
    },
    async stop() {
      const closing = server;
      server = undefined;
      if (!closing) return;
      closing.closeAllConnections();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
  await receiver.start();
  return receiver;
}

/** Waits until the condition holds, checking every 20 ms, failing after the timeout. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
