/**
 * RFC 6749 §5.2 error codes the token endpoint answers with, and one of our
 * own (§8.5 allows extensions): too_many_requests, for too many failed
 * authentications. §5.2 has none for it, and RFC 8628's slow_down is for
 * polling a device grant.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'too_many_requests';

/** A token-endpoint failure; rendered in RFC 6749's shape, not the API envelope. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  /** invalid_client is 401 with a challenge (§5.2), too_many_requests 429; every other error is 400. */
  get status(): number {
    if (this.error === 'invalid_client') return 401;
    return this.error === 'too_many_requests' ? 429 : 400;
  }
}
