/*
 * A username is the user's e-mail address. The rule is the usual simple one,
 * not RFC 5322's: one @, something before it, a domain with a dot after it,
 * no spaces, and within the 254 characters an address may have.
 */
const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;

/**
 * How a username is stored and looked up: e-mail addresses are read without
 * regard to case in practice, so Jo@Acme.example and jo@acme.example are one user.
 */
export const canonicalUsername = (username: string) => username.toLowerCase();

/** What is wrong with a username, or undefined when it is a well-formed e-mail address. */
export function usernameProblem(username: string): string | undefined {
  if (username.length > MAX_EMAIL_LENGTH) return `must be at most ${MAX_EMAIL_LENGTH} characters`;
  if (!EMAIL_ADDRESS.test(username) || /^\.|\.$/.test(username.split('@')[1] ?? '')) {
    return `must be an e-mail address such as jo@acme.example, got "${username}"`;
  }
  return undefined;
}
