import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

/** The media type of v1 (the server versions by Accept). */
export const V1_MEDIA_TYPE = 'application/vnd.jb.v1+json';

export interface JobSpaceClientOptions {
  /** The server's root, e.g. https://jobs.example.com (the document's servers[0] is the generating PUBLIC_URL, not yours). */
  baseUrl: string;
  /** An access token from POST /oauth/token; none for the token request itself and the health checks. */
  token?: string;
  /** A fetch of your own (a proxy, a test double); the global fetch otherwise. */
  fetch?: typeof globalThis.fetch;
}

export type JobSpaceClient = Client<paths>;

/** A typed client of every documented path, asking for v1 and bearing the token on every request. */
export function createJobSpaceClient({ baseUrl, token, fetch }: JobSpaceClientOptions): JobSpaceClient {
  return createClient<paths>({
    baseUrl,
    fetch,
    headers: { Accept: V1_MEDIA_TYPE, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
}
