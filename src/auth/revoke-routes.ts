import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import type { Db } from '../db/types.ts';
import { OAuthError } from './oauth-error.ts';
import { Bounded, clientCredentials, OAuthErrorResponse, TOO_MANY_FAILURES } from './routes.ts';
import { authenticateClient } from './service.ts';
import { revokeToken, type TokenTypeHint } from './revocation.ts';
import type { LockTokenFamily } from './family-lock.ts';
import { refuseOverLimit, type FailedAttempts } from './failed-attempts.ts';

const RevocationRequest = Type.Object({
  token: Type.Optional(Bounded),
  token_type_hint: Type.Optional(Bounded),
  client_id: Type.Optional(Bounded),
  client_secret: Type.Optional(Bounded),
});
type RevocationRequest = Static<typeof RevocationRequest>;

const HINTS: readonly string[] = ['access_token', 'refresh_token'] satisfies TokenTypeHint[];

/* A hint we do not know is no hint (RFC 7009 §2.1: the server searches every type it has anyway). */
const hintOf = (value: string | undefined) => (value !== undefined && HINTS.includes(value) ? (value as TokenTypeHint) : undefined);

export interface RevokeRouteOptions {
  readonly db: Db;
  readonly lockFamily: LockTokenFamily;
  /** Shared with the token endpoint and the API guard: a refused client counts against its address everywhere. */
  readonly failures: FailedAttempts;
}

/** RFC 7009 token revocation: the client authenticates as at /oauth/token. */
export async function revokeRoutes(app: FastifyInstance, { db, lockFamily, failures }: RevokeRouteOptions) {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/oauth/revoke',
    {
      attachValidation: true,
      schema: {
        tags: ['auth'],
        operationId: 'revokeToken',
        security: [],
        summary: 'Revoke an access or refresh token of the client (RFC 7009); 200 whatever the token',
        body: RevocationRequest,
        response: { 200: Type.Object({}, { description: 'An empty JSON object: the status says it all (RFC 7009 §2.2)' }), 400: OAuthErrorResponse, 401: OAuthErrorResponse, 429: OAuthErrorResponse },
      },
    },
    async (request, reply) => {
      if (request.validationError) {
        throw new OAuthError('invalid_request', 'Each parameter must be a single string of at most 1024 characters.');
      }
      const body: RevocationRequest = request.body ?? {};
      const attempt = { address: request.ip };
      refuseOverLimit(failures, attempt, reply, () => new OAuthError('too_many_requests', TOO_MANY_FAILURES));
      const client = await authenticateClient(db, clientCredentials(request, body));
      if (!client) {
        failures.record(attempt);
        throw new OAuthError('invalid_client', 'Client authentication failed.');
      }
      if (!body.token) throw new OAuthError('invalid_request', 'The request is missing the "token" parameter.');
      const hint = hintOf(body.token_type_hint);
      await revokeToken(db, lockFamily, { apiClientId: client.id, token: body.token, hint, requestId: request.id });
      // RFC 7009 has clients ignore the body; an empty JSON object rather than none, because ordinary
      // OAuth client libraries (simple-oauth2's strict JSON reading) refuse a 200 with no JSON at all.
      return reply.code(200).header('cache-control', 'no-store').header('pragma', 'no-cache').send({});
    },
  );
}
