import { createHmac, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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
  const existing = await readKeyFile(config.signingKeyFile);
  if (existing) return existing;
  await mkdir(dirname(config.signingKeyFile), { recursive: true });
  // Written whole under a name of its own, then linked into place: of processes starting
  // together, one key wins, and none can read a file still being written.
  const partial = `${config.signingKeyFile}.${process.pid}.partial`;
  await writeFile(partial, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  try {
    await link(partial, config.signingKeyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(partial, { force: true });
  }
  const key = await readKeyFile(config.signingKeyFile);
  if (!key) throw new Error(`${config.signingKeyFile} holds no key`);
  return key;
}

/** The key in the file: 32 bytes or more of hex; undefined when there is no file. */
async function readKeyFile(file: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!/^(?:[0-9a-f]{2}){32,}$/i.test(text)) throw new Error(`${file} must hold a key of 64 or more hex digits`);
  return Buffer.from(text, 'hex');
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
