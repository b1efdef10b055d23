import type { Kysely } from 'kysely';

/*
 * A client's secret is rotated with an overlap (`jobspace client rotate-secret`):
 * the secret it replaced keeps verifying until its expiry, so that a vendor
 * can deploy the new one without a window of refused requests. Only its
 * digest is kept, as for the current one (src/auth/secrets.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_clients').addColumn('previous_secret_hash', 'text').execute();
  await db.schema.alterTable('api_clients').addColumn('previous_secret_expires_at', 'text').execute();
}
