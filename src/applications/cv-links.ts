import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Executor } from '../db/types.ts';
import { nowIso } from '../clock.ts';
import { findOrCreateSecret } from './repository.ts';

/*
 * A SIGNUP_WITHPOST delivery carries a link to the CV, not the file: the
 * employer's system fetches it without a token, so the link is its own
 * authorisation, an HMAC-SHA256 over the application id and the expiry,
 * keyed by the server. The key is APPLICATION_LINK_SECRET when set (so that
 * it can be rotated, which voids every link out), or else 32 random bytes
 * made at the first start and kept in the store (server_secrets), so every
 * worker and machine of one store signs and checks alike, and a store copy
 * carries it along. An erased application's link answers 410.
 */
export const CV_LINK_PATH = '/applications';
export const CV_LINK_SECONDS = 7 * 24 * 60 * 60;

const SECRET_NAME = 'cv_link_key';

export interface CvLinks {
  /** The link to this application's CV, valid until `expiresAt` (Unix seconds). */
  linkFor(applicationId: number, expiresAt: number): string;
  /** True when the signature is the server's for this application and expiry. */
  verify(applicationId: number, expiresAt: number, signature: string): boolean;
}

export async function openCvLinks(db: Executor, configured: string | null, publicUrl: string): Promise<CvLinks> {
  const key = configured ?? (await findOrCreateSecret(db, SECRET_NAME, () => randomBytes(32).toString('hex'), nowIso()));
  const sign = (applicationId: number, expiresAt: number) =>
    createHmac('sha256', key).update(`cv:${applicationId}:${expiresAt}`).digest('base64url');
  return {
    linkFor: (applicationId, expiresAt) =>
      `${publicUrl}${CV_LINK_PATH}/${applicationId}/cv?expires=${expiresAt}&signature=${sign(applicationId, expiresAt)}`,
    verify(applicationId, expiresAt, signature) {
      const expected = Buffer.from(sign(applicationId, expiresAt));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
