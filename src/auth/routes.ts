import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Db } from '../db/types.ts';
import { OAuthError } from './oauth-error.ts';
import { decodeFormComponent, parseBasicAuthorization } from './basic.ts';
import {
  grantByClientCredentials,
  grantByPassword,
  grantByRefreshToken,
  type ClientCredentials,
  type RefreshRotation,
} from './service.ts';

const Bounded = Type.String({ maxLength: 1024 });

const TokenRequest = Type.Object({
  grant_type: Type.Optional(Bounded),
  client_id: Type.Optional(Bounded),
  client_secret: Type.Optional(Bounded),
  username: Type.Optional(Bounded),
  password: Type.Optional(Bounded),
  refresh_token: Type.Optional(Bounded),
});
type TokenRequest = Static<typeof TokenRequest>;

const TokenResponse = Type.Object({
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  access_token: Type.String(),
  refresh_token: Type.Optional(Type.String()),
});

const GRANTS = ['password', 'refresh_token', 'client_credentials'];

const OAuthErrorResponse = Type.Object({
  error: Type.String(),
  error_description: Type.String(),
  message: Type.String(),
});

/** Client credentials from the body or from HTTP Basic, never both (RFC 6749 §2.3). */
function clientCredentials(request: FastifyRequest, body: TokenRequest): ClientCredentials {
  const basic = parseBasicAuthorization(request.headers.authorization);
  const inBody = body.client_id !== undefined || body.client_secret !== undefined;
  if (basic && inBody) {
    throw new OAuthError('invalid_request', 'Send client credentials in the body or by HTTP Basic, not both.');
  }
  if (basic) return { clientId: decodeFormComponent(basic.user), clientSecret: decodeFormComponent(basic.password) };
  if (!body.client_id || !body.client_secret) {
    throw new OAuthError('invalid_client', 'Client authentication failed.');
  }
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

function required(body: TokenRequest, field: 'username' | 'password' | 'refresh_token'): string {
  const value = body[field];
  if (!value) throw new OAuthError('invalid_request', `The request is missing the "${field}" parameter.`);
  return value;
}

export async function tokenRoutes(app: FastifyInstance, { db, rotation }: { db: Db; rotation: RefreshRotation }) {
  app.post(
    '/oauth/token',
    {
      attachValidation: true,
      schema: {
        tags: ['auth'],
        summary: 'Issue an access token (password, refresh_token or client_credentials grant)',
        body: TokenRequest,
        response: { 200: TokenResponse, 400: OAuthErrorResponse, 401: OAuthErrorResponse },
      },
    },
    async (request, reply) => {
      if (request.validationError) {
        throw new OAuthError('invalid_request', 'Each parameter must be a single string of at most 1024 characters.');
      }
      const body = (request.body ?? {}) as TokenRequest;
      if (!body.grant_type) throw new OAuthError('invalid_request', 'The request is missing the "grant_type" parameter.');
      if (!GRANTS.includes(body.grant_type)) {
        throw new OAuthError('unsupported_grant_type', `The grant type "${body.grant_type}" is not supported.`);
      }
      const credentials = clientCredentials(request, body);
      const tokens =
        body.grant_type === 'password'
          ? await grantByPassword(db, credentials, required(body, 'username'), required(body, 'password'))
          : body.grant_type === 'refresh_token'
            ? await grantByRefreshToken(db, credentials, required(body, 'refresh_token'), rotation)
            : await grantByClientCredentials(db, credentials);
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return tokens;
    },
  );
}
