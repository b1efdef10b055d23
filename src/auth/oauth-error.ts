/** RFC 6749 §5.2 error codes the token endpoint answers with. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type';

/** A token-endpoint failure; rendered in RFC 6749's shape, not the API envelope. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  /** invalid_client is 401 with a challenge (§5.2); every other error is 400. */
  get status(): number {
    return this.error === 'invalid_client' ? 401 : 400;
  }
}
