import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DeliveryConfig } from '../config.ts';

/*
 * Secrets are stored only as what cannot give them back. A webhook keeps a
 * random salt; its secret is HMAC-SHA256(server key, salt), derived when a
 * request is signed, so the store alone never reveals a secret: the server
 * key is in WEBHOOK_SIGNING_KEY (or, outside production, a file beside the
 * SQLite store), never in the database.
 */

/** The server key: WEBHOOK_SIGNING_KEY (required in production, see config.ts), or outside production the key file, made once with 32 random bytes. */
export async function loadSigningKey(config: DeliveryConfig): Promise<Buffer> {
  if (config.signingKey) return config.signingKey;
  try {
    return Buffer.from((await readFile(config.signingKeyFile, 'utf8')).trim(), 'hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(config.signingKeyFile), { recursive: true });
  try {
    // `wx`: of processes starting together, one writes the key and the others read it.
    await writeFile(config.signingKeyFile, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return Buffer.from((await readFile(config.signingKeyFile, 'utf8')).trim(), 'hex');
}

export const newSecretSalt = () => randomBytes(16).toString('hex');

/** A webhook's secret, as shown once to its creator: 64 hex digits. Receivers key their HMAC with this text. */
export function webhookSecret(serverKey: Buffer, salt: string): string {
  return createHmac('sha256', serverKey).update(`webhook:${salt}`).digest('hex');
}

/** The key application POSTs to an organisation's apply URLs are signed with. */
export function applicationSecret(serverKey: Buffer, organisationId: number): string {
  return createHmac('sha256', serverKey).update(`applications:${organisationId}`).digest('hex');
}

/** `JobSpace-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}
