import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError } from '../errors.ts';
import { ErrorResponseSchema, fileResponse } from '../http/schemas.ts';
import { IMAGE_TYPES } from './images.ts';
import { logoTypeOf, MEDIA_PATH } from './logos.ts';
import type { MediaStorage } from './storage.ts';

/* A name serves the same bytes for ever (it is their hash), so caches may keep them as long as they like. */
const CACHE_FOREVER = 'public, max-age=31536000, immutable';

const LOGO = fileResponse('The logo, as the image type it was recognised as', IMAGE_TYPES.map((type) => type.contentType));

const MediaParams = Type.Object({ name: Type.String() });

/**
 * Stored logos at the `path` of a job's media: public, as boards show them to anyone; no Accept rule, no token.
 * The route is told its params' type rather than given the TypeBox type provider, which would type
 * the reply by the response schemas, and the file's stream has none.
 */
export async function mediaRoutes(app: FastifyInstance, { storage }: { storage: MediaStorage }) {
  app.get<{ Params: Static<typeof MediaParams> }>(
    `${MEDIA_PATH}/:name`,
    {
      // Boards show logos on their own pages; images are compressed formats already, and keep their Content-Length.
      helmet: { crossOriginResourcePolicy: { policy: 'cross-origin' } },
      compress: false,
      schema: {
        tags: ['media'],
        operationId: 'readLogo',
        summary: 'A stored job logo',
        security: [],
        params: MediaParams,
        response: { 200: LOGO, 404: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      // A name we never make is not looked for at all.
      const type = logoTypeOf(name);
      const stored = type && (await storage.stream(name));
      if (!type || !stored) throw new AppError('not_found');
      return reply
        .type(type.contentType)
        .header('content-length', stored.size)
        .header('cache-control', CACHE_FOREVER)
        .header('x-content-type-options', 'nosniff')
        .send(stored.body);
    },
  );
}
