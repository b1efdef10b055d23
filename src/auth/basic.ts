/** The two halves of an HTTP Basic `Authorization` header, or null when it is not one. */
export function parseBasicAuthorization(header: string | undefined): { user: string; password: string } | null {
  const match = header && /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** RFC 6749 §2.3.1: client credentials in Basic are form-urlencoded first. */
export function decodeFormComponent(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
