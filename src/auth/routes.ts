import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
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
import { refuseOverLimit, type Attempt, type FailedAttempts } from './failed-attempts.ts';

export const Bounded = Type.String({ maxLength: 1024 });

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

export const OAuthErrorResponse = Type.Object({
  error: Type.String(),
  error_description: Type.String(),
  message: Type.String(),
});

/*
 * Client credentials come in the body or by HTTP Basic. RFC 6749 §2.3 allows
 * one authentication method per request, so a client_secret in the body
 * beside Basic is refused; a client_id there only names the client (§3.2.1,
 * and requests-oauthlib sends it), so it is accepted when it names the same
 * one. Empty parameters count as not sent.
 */
/** The credentials a client sends beside its request, at this endpoint or /oauth/revoke. */
type ClientParameters = Pick<TokenRequest, 'client_id' | 'client_secret'>;

export function clientCredentials(request: FastifyRequest, body: ClientParameters): ClientCredentials {
  const basic = parseBasicAuthorization(request.headers.authorization);
  if (basic) return basicClientCredentials(basic, body);
  if (!body.client_id || !body.client_secret) {
    throw new OAuthError('invalid_client', 'Client authentication failed.');
  }
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

function basicClientCredentials(basic: { user: string; password: string }, body: ClientParameters): ClientCredentials {
  const credentials = { clientId: decodeFormComponent(basic.user), clientSecret: decodeFormComponent(basic.password) };
  if (body.client_secret) {
    throw new OAuthError('invalid_request', 'Send the client secret in the body or by HTTP Basic, not both.');
  }
  if (body.client_id && body.client_id !== credentials.clientId) {
    throw new OAuthError('invalid_request', 'The client_id in the body is not the client authenticated by HTTP Basic.');
  }
  return credentials;
}

function required(body: TokenRequest, field: 'username' | 'password' | 'refresh_token'): string {
  const value = body[field];
  if (!value) throw new OAuthError('invalid_request', `The request is missing the "${field}" parameter.`);
  return value;
}

/** The grant asked for, with the client's credentials; async, so that every refusal is a rejection. */
async function grant(db: Db, rotation: RefreshRotation, request: FastifyRequest, body: TokenRequest) {
  const credentials = clientCredentials(request, body);
  if (body.grant_type === 'password') {
    return grantByPassword(db, credentials, required(body, 'username'), required(body, 'password'));
  }
  if (body.grant_type === 'refresh_token') {
    return grantByRefreshToken(db, credentials, required(body, 'refresh_token'), rotation);
  }
  return grantByClientCredentials(db, credentials);
}

export const TOO_MANY_FAILURES = 'Too many failed authentications; retry after the Retry-After seconds.';


/*
 * What a refused grant counts against: a refused client, its address; a
 * refused password, the username too. A refresh token (256 random bits)
 * cannot be guessed, so a refused one is not counted.
 */
function failedAttempt(error: unknown, body: TokenRequest, attempt: Attempt): Attempt | null {
  if (!(error instanceof OAuthError)) return null;
  if (error.error === 'invalid_client') return { address: attempt.address };
  if (error.error === 'invalid_grant' && body.grant_type === 'password') return attempt;
  return null;
}

export interface TokenRouteOptions {
  readonly db: Db;
  readonly rotation: RefreshRotation;
  /** Shared with the API guard. */
  readonly failures: FailedAttempts;
}

export async function tokenRoutes(app: FastifyInstance, { db, rotation, failures }: TokenRouteOptions) {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/oauth/token',
    {
      attachValidation: true,
      schema: {
        tags: ['auth'],
        operationId: 'issueToken',
        // The client authenticates in the body or by Basic, not with a token (RFC 6749 §2.3).
        security: [],
        summary: 'Issue an access token (password, refresh_token or client_credentials grant)',
        body: TokenRequest,
        response: { 200: TokenResponse, 400: OAuthErrorResponse, 401: OAuthErrorResponse, 429: OAuthErrorResponse },
      },
    },
    async (request, reply) => {
      if (request.validationError) {
        throw new OAuthError('invalid_request', 'Each parameter must be a single string of at most 1024 characters.');
      }
      const body: TokenRequest = request.body ?? {};
      const attempt = { address: request.ip, username: body.grant_type === 'password' ? body.username || undefined : undefined };
      refuseOverLimit(failures, attempt, reply, () => new OAuthError('too_many_requests', TOO_MANY_FAILURES));
      if (!body.grant_type) throw new OAuthError('invalid_request', 'The request is missing the "grant_type" parameter.');
      if (!GRANTS.includes(body.grant_type)) {
        throw new OAuthError('unsupported_grant_type', `The grant type "${body.grant_type}" is not supported.`);
      }
      const tokens = await grant(db, rotation, request, body).catch((error: unknown) => {
        const failed = failedAttempt(error, body, attempt);
        if (failed) failures.record(failed);
        throw error;
      });
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return tokens;
    },
  );
}
