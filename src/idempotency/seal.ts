import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/*
 * Stored responses are sealed: a webhook's creation answers with its secret,
 * which the store must never hold readable (docs/architecture.md, "Webhook
 * secrets are derived, not stored"), and an application's shows a
 * candidate's details. AES-256-GCM under a key derived from the server key,
 * so a stolen store or backup reveals none of them.
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Seal {
  seal(plain: Buffer): string;
  open(sealed: string): Buffer;
}

export function sealWith(serverKey: Buffer): Seal {
  const key = createHmac('sha256', serverKey).update('idempotency:responses').digest();
  return {
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
    },
    open(text) {
      const bytes = Buffer.from(text, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    },
  };
}
