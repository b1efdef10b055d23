import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { sendError } from '../http/errors.ts';
import { METRICS_PATH, sendMetrics } from './routes.ts';

/** What serves the text: one app's registry, or a cluster primary's sum of its workers'. */
export interface Scrape {
  readonly contentType: string;
  readonly read: () => Promise<string>;
}

/*
 * METRICS_PORT: a listener of its own serving GET /metrics alone, without
 * authentication, for a private network the API's clients cannot reach.
 * Nothing else is served on it; errors keep the envelope.
 */
export async function listenForMetrics(scrape: Scrape, where: { port: number; host: string }, log: FastifyBaseLogger): Promise<FastifyInstance> {
  const server = Fastify({ loggerInstance: log, disableRequestLogging: true });
  server.get(METRICS_PATH, async (_request, reply) => sendMetrics(reply, scrape, scrape.read()));
  server.setNotFoundHandler((_request, reply) => sendError(reply, 404));
  server.setErrorHandler((error, request, reply) => {
    request.log.error({ err: error }, 'metrics could not be read');
    return sendError(reply, 500);
  });
  await server.listen(where);
  return server;
}
