import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import assert from 'node:assert/strict';
import { auth, buildTestApp, DEMO, passwordGrantFor, type TestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { generateToken, hashToken } from '../../src/auth/secrets.ts';
import { isoAfterSeconds, nowIso } from '../../src/clock.ts';
import { claimRefreshToken, findRefreshToken, insertTokenPair } from '../../src/auth/repository.ts';
import { tokenFamilyLockFor } from '../../src/auth/family-lock.ts';
import { openStore } from '../../src/db/connect.ts';
import type { Db } from '../../src/db/types.ts';

interface Pair {
  access_token: string;
  refresh_token: string;
}

const passwordGrant = passwordGrantFor();
const refreshGrant = (refreshToken: string) => ({
  grant_type: 'refresh_token',
  client_id: DEMO.clientId,
  client_secret: DEMO.clientSecret,
  refresh_token: refreshToken,
});

for (const store of stores) describe(`POST /oauth/token refresh rotation [${store}]`, () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp(store);
  });
  after(() => test.close());

  const token = (payload: Record<string, string>) => test.app.inject({ method: 'POST', url: '/oauth/token', payload });
  const login = async (): Promise<Pair> => (await token(passwordGrant)).json();
  const jobsStatus = async (accessToken: string) => (await test.app.inject({ url: '/api/job', headers: auth(accessToken) })).statusCode;
  const usedAt = async (refreshToken: string) =>
    (
      await test.app.store.db
        .selectFrom('refresh_tokens')
        .select('used_at')
        .where('token_hash', '=', hashToken(refreshToken))
        .executeTakeFirstOrThrow()
    ).used_at;
  /** As if the token had been rotated that many seconds ago. */
  const rotatedSecondsAgo = (refreshToken: string, seconds: number) =>
    test.app.store.db
      .updateTable('refresh_tokens')
      .set({ used_at: isoAfterSeconds(-seconds) })
      .where('token_hash', '=', hashToken(refreshToken))
      .execute();
  const familyOf = async (refreshToken: string) =>
    (
      await test.app.store.db
        .selectFrom('refresh_tokens')
        .select('family')
        .where('token_hash', '=', hashToken(refreshToken))
        .executeTakeFirstOrThrow()
    ).family;
  const revokedInFamily = async (family: string) => {
    const db = test.app.store.db;
    const access = await db.selectFrom('access_tokens').select('id').where('family', '=', family).where('revoked_at', 'is not', null).execute();
    const refresh = await db.selectFrom('refresh_tokens').select('id').where('family', '=', family).where('revoked_at', 'is not', null).execute();
    return access.length + refresh.length;
  };

  it('rotates: a new pair that works, while the earlier access token keeps working', async () => {
    const first = await login();
    const response = await token(refreshGrant(first.refresh_token));
    assert.equal(response.statusCode, 200);
    const second: Pair = response.json();
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.notEqual(second.access_token, first.access_token);
    assert.equal(await jobsStatus(second.access_token), 200);
    assert.equal(await jobsStatus(first.access_token), 200);
  });

  it('answers ten concurrent refreshes of one token with ten working pairs of its family, revoking nothing', async () => {
    const first = await login();
    const responses = await Promise.all(Array.from({ length: 10 }, () => token(refreshGrant(first.refresh_token))));
    assert.deepEqual(responses.map((response) => response.statusCode), Array(10).fill(200), responses.map((r) => r.body).join('\n'));
    const pairs: Pair[] = responses.map((response) => response.json());
    assert.equal(new Set(pairs.map((pair) => pair.access_token)).size, 10);
    assert.equal(new Set(pairs.map((pair) => pair.refresh_token)).size, 10);
    for (const pair of pairs) assert.equal(await jobsStatus(pair.access_token), 200);
    const family = await familyOf(first.refresh_token);
    for (const pair of pairs) assert.equal(await familyOf(pair.refresh_token), family);
    assert.equal(await revokedInFamily(family), 0);
  });

  it('measures the reuse interval from the first rotation, which a reuse does not extend', async () => {
    const first = await login();
    await token(refreshGrant(first.refresh_token));
    const rotatedAt = await usedAt(first.refresh_token);
    assert.ok(rotatedAt);
    assert.equal((await token(refreshGrant(first.refresh_token))).statusCode, 200);
    assert.equal(await usedAt(first.refresh_token), rotatedAt);
  });

  it('answers a reuse within the interval, however late in it', async () => {
    const first = await login();
    await token(refreshGrant(first.refresh_token));
    await rotatedSecondsAgo(first.refresh_token, 29);
    assert.equal((await token(refreshGrant(first.refresh_token))).statusCode, 200);
  });

  it('revokes the whole family on a reuse after the interval, pairs issued within it included', async () => {
    const first = await login();
    const rotated: Pair = (await token(refreshGrant(first.refresh_token))).json();
    const retried: Pair = (await token(refreshGrant(first.refresh_token))).json();
    const next: Pair = (await token(refreshGrant(rotated.refresh_token))).json();
    assert.equal(await jobsStatus(retried.access_token), 200);
    await rotatedSecondsAgo(first.refresh_token, 31);

    const late = await token(refreshGrant(first.refresh_token));
    assert.equal(late.statusCode, 400);
    assert.equal(late.json().error, 'invalid_grant');
    for (const pair of [first, rotated, retried, next]) assert.equal(await jobsStatus(pair.access_token), 401);
    for (const pair of [rotated, retried, next]) {
      assert.equal((await token(refreshGrant(pair.refresh_token))).json().error, 'invalid_grant');
    }
  });

  it('leaves other families alone when it revokes one', async () => {
    const bystander = await login();
    const first = await login();
    await token(refreshGrant(first.refresh_token));
    await rotatedSecondsAgo(first.refresh_token, 31);
    assert.equal((await token(refreshGrant(first.refresh_token))).statusCode, 400);
    assert.equal(await jobsStatus(bystander.access_token), 200);
    assert.equal((await token(refreshGrant(bystander.refresh_token))).statusCode, 200);
  });

  if (store === 'postgres') {
    /** Until a session waits for a token family's lock (its advisory class id spells "tokf"), or ten seconds. */
    async function untilFamilyLockAwaited(db: Db): Promise<void> {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
        const { rows } = await sql<{ waiting: number }>`select count(*)::int as waiting from pg_locks
          where locktype = 'advisory' and classid = ${0x746f6b66}::oid and not granted`.execute(db);
        if ((rows[0]?.waiting ?? 0) > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    it('revokes, too, the pair a refresh of another worker was committing when the late reuse came', async () => {
      const first = await login();
      const rotated: Pair = (await token(refreshGrant(first.refresh_token))).json();
      await rotatedSecondsAgo(first.refresh_token, 31);
      const worker = openStore(test.config.databaseUrl);
      const inFlight = { access: generateToken(), refresh: generateToken() };
      try {
        // The other worker's refresh of the rotated token, held open while the late reuse arrives.
        const { reuse } = await worker.db.transaction().execute(async (tx) => {
          const row = await findRefreshToken(tx, hashToken(rotated.refresh_token));
          assert.ok(row);
          await tokenFamilyLockFor(worker.dialect)(tx, row.family);
          assert.ok(await claimRefreshToken(tx, row.id, nowIso(), isoAfterSeconds(-30)));
          const owner = { api_client_id: row.api_client_id, user_id: row.user_id, family: row.family, expires_at: isoAfterSeconds(3600) };
          await insertTokenPair(tx, { ...owner, token_hash: hashToken(inFlight.access) }, { ...owner, token_hash: hashToken(inFlight.refresh) }, nowIso());
          const reuse = token(refreshGrant(first.refresh_token));
          await untilFamilyLockAwaited(worker.db);
          // Wrapped: a promise returned bare would be awaited before the commit it waits for.
          return { reuse };
        });
        assert.equal((await reuse).json().error, 'invalid_grant');
        assert.equal(await jobsStatus(inFlight.access), 401);
        assert.equal((await token(refreshGrant(inFlight.refresh))).json().error, 'invalid_grant');
      } finally {
        await worker.db.destroy();
      }
    });
  }
});

for (const store of stores) describe(`POST /oauth/token with REFRESH_REUSE_SECONDS=0 [${store}]`, () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp(store, { REFRESH_REUSE_SECONDS: '0' });
  });
  after(() => test.close());

  const token = (payload: Record<string, string>) => test.app.inject({ method: 'POST', url: '/oauth/token', payload });

  it('revokes the family at the first reuse: refresh tokens are strictly single-use', async () => {
    const first: Pair = (await token(passwordGrant)).json();
    const second: Pair = (await token(refreshGrant(first.refresh_token))).json();
    const reuse = await token(refreshGrant(first.refresh_token));
    assert.equal(reuse.statusCode, 400);
    assert.equal(reuse.json().error, 'invalid_grant');
    assert.equal((await token(refreshGrant(second.refresh_token))).statusCode, 400, 'the rotated refresh token is revoked too');
    const jobs = await test.app.inject({ url: '/api/job', headers: auth(second.access_token) });
    assert.equal(jobs.statusCode, 401);
  });

  it('gives one of ten concurrent refreshes a pair and revokes it with the family when the others reuse the token', async () => {
    const first: Pair = (await token(passwordGrant)).json();
    const responses = await Promise.all(Array.from({ length: 10 }, () => token(refreshGrant(first.refresh_token))));
    const winners = responses.filter((response) => response.statusCode === 200);
    assert.equal(winners.length, 1);
    const jobs = await test.app.inject({ url: '/api/job', headers: auth((winners[0]?.json() as Pair).access_token) });
    assert.equal(jobs.statusCode, 401);
  });
});
