import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';

type ScryptOptions = { N: number; r: number; p: number; maxmem: number };
const scryptOnPool = promisify(scrypt) as (secret: string, salt: Buffer, length: number, options: ScryptOptions) => Promise<Buffer>;

/** Runs at most `size` tasks at once; the others wait their turn in order. */
export class Slots {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}

/*
 * Each hash holds its 32 MiB for as long as it runs, on one of libuv's four
 * threads. More hashes at once than cores only add memory (a burst of token
 * requests once took the server past 400 MB), so they take turns.
 */
const hashing = new Slots(Math.max(1, Math.min(4, availableParallelism())));

const scryptAsync = (secret: string, salt: Buffer, length: number, options: ScryptOptions) =>
  hashing.run(() => scryptOnPool(secret, salt, length, options));

interface HashCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/* scrypt at 32 MiB per hash; parameters travel with each hash so they can rise later. */
export const HASH_COST: HashCost = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });
/* 1 MiB: a test suite makes and checks thousands of hashes, and proves nothing more by making each slow. */
const TEST_HASH_COST: HashCost = Object.freeze({ N: 2 ** 10, r: 8, p: 1 });
let cost = HASH_COST;

/**
 * For test processes only: the hashes made from now on are cheap. Checking
 * any hash still reads the parameters stored with it. Outside node's test
 * runner (which marks its processes with NODE_TEST_CONTEXT) it throws, so
 * no stray call can weaken a real store's hashes.
 */
export function makeCheapHashesForTests(): void {
  if (!process.env.NODE_TEST_CONTEXT) throw new Error('makeCheapHashesForTests is for processes of node --test only');
  cost = TEST_HASH_COST;
}

const KEY_LENGTH = 32;
const maxmemFor = (N: number, r: number) => 256 * N * r;

/** The shortest password a user may have, checked by the operator commands and for the demo tenant's at start. */
export const MIN_PASSWORD_LENGTH = 8;

/** Hash a password: `scrypt$N$r$p$salt$key`, base64url parts. Earlier versions hashed client secrets so too (verifyClientSecret). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, KEY_LENGTH, { ...cost, maxmem: maxmemFor(cost.N, cost.r) });
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const N = Number(n), R = Number(r), P = Number(p);
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N, r: R, p: P, maxmem: maxmemFor(N, R),
  });
  return timingSafeEqual(actual, expected);
}

/** 256 random bits, URL-safe: the bearer and refresh tokens handed out. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are stored and looked up only by this digest. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/*
 * A client secret is 256 random bits of the server's making, so nobody can
 * guess it from its digest: a slow hash only protects secrets a person chose,
 * and here would cost a memory-hard hash per token request for nothing.
 */
const CLIENT_DIGEST = 'sha256$';

/** How a client secret is stored: `sha256$` and the hex digest, as tokens are. */
export function digestClientSecret(secret: string): string {
  return CLIENT_DIGEST + hashToken(secret);
}

interface ClientSecretCheck {
  readonly matches: boolean;
  /** The stored hash is an older scheme's (scrypt): replace it with the digest once the secret matched. */
  readonly outdated: boolean;
}

/** Compares a client secret with its stored digest in constant time; a stored scrypt hash is checked as a password. */
export async function verifyClientSecret(secret: string, stored: string): Promise<ClientSecretCheck> {
  if (!stored.startsWith(CLIENT_DIGEST)) return { matches: await verifySecret(secret, stored), outdated: true };
  const expected = Buffer.from(stored.slice(CLIENT_DIGEST.length), 'hex');
  const actual = createHash('sha256').update(secret).digest();
  return { matches: expected.length === actual.length && timingSafeEqual(actual, expected), outdated: false };
}

/** Public client identifiers: random, not secret, easy to copy. */
export function generateClientId(): string {
  return randomBytes(12).toString('hex');
}
