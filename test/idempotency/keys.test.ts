import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, createTenant, issueToken, useTestApp } from '../support/app.ts';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { stores } from '../support/stores.ts';
import { jobJson, upload } from '../support/fixtures.ts';
import { applicationParts, createLiveJob, issueBoardToken, PDF, type postApplicationForm } from '../support/applications.ts';
import { webhookBody } from '../support/webhooks.ts';
import { ABANDONED_AFTER_SECONDS, KEY_KEPT_SECONDS } from '../../src/idempotency/hooks.ts';
import { pruneExpiredKeys } from '../../src/idempotency/repository.ts';
import { fingerprintOf } from '../../src/idempotency/request.ts';
import { multipartBytes } from '../support/fixtures.ts';

let keys = 0;
const freshKey = () => `key-${(keys += 1)}-${Math.random().toString(36).slice(2)}`;

for (const store of stores) describe(`Idempotency-Key [${store}]`, () => {
  const suite = useTestApp(store, { WEBHOOK_ALLOW_PRIVATE: 'true' });
  const db = () => suite.test.app.store.db;

  const post = (url: string, payload: Record<string, unknown>, key?: string, token = suite.token) =>
    suite.test.app.inject({ method: 'POST', url, payload, headers: { ...auth(token), ...(key === undefined ? {} : { 'idempotency-key': key }) } });
  const jobsWithReference = async (reference: string) =>
    (await db().selectFrom('jobs').select('id').where('reference', '=', reference).execute()).length;

  describe('POST /api/job', () => {
    it('replays the first answer (status, body, ETag) marked Idempotent-Replayed, and creates one job', async () => {
      const body = jobJson();
      const key = freshKey();
      const first = await post('/api/job', body, key);
      const again = await post('/api/job', body, key);
      assert.equal(first.statusCode, 201, first.body);
      assert.equal(first.headers['idempotent-replayed'], undefined);
      assert.equal(again.statusCode, 201);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.body, first.body);
      assert.equal(again.headers.etag, first.headers.etag);
      assert.match(String(again.headers['content-type']), /^application\/json/);
      assert.notEqual(again.headers['x-request-id'], first.headers['x-request-id'], 'the replay has its own request id');
      assert.equal(await jobsWithReference(body.reference as string), 1);
    });

    it('replays under /admin/api what /api answered: one resource, two prefixes', async () => {
      const body = jobJson();
      const key = freshKey();
      const first = await post('/api/job', body, key);
      const again = await post('/admin/api/job', body, key);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.body, first.body);
      assert.equal(await jobsWithReference(body.reference as string), 1);
    });

    it('spends one credit for a create and its replays: the retry of a lost answer is not a second post', async () => {
      const tenant = await createTenant(suite.test.app, { credits: 1 });
      const token = await issueToken(suite.test.app, tenant);
      const body = jobJson({ organisation: tenant.organisation });
      const key = freshKey();
      assert.equal((await post('/api/job', body, key, token)).statusCode, 201);
      const again = await post('/api/job', body, key, token);
      assert.equal(again.statusCode, 201);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      const { credits } = await db().selectFrom('organisations').select('credits').where('handle', '=', tenant.organisation).executeTakeFirstOrThrow();
      assert.equal(credits, 0);
    });

    it('answers 422 in the envelope when the key comes again with another body, and writes nothing', async () => {
      const key = freshKey();
      assert.equal((await post('/api/job', jobJson(), key)).statusCode, 201);
      const other = jobJson();
      const reused = await post('/api/job', other, key);
      assert.equal(reused.statusCode, 422);
      assert.equal(reused.json().data.status_code, 422);
      assert.match(reused.json().data.message, /Idempotency-Key was sent with another request/);
      assert.deepEqual(Object.keys(reused.json().data.errors), ['idempotency_key']);
      assert.equal(await jobsWithReference(other.reference as string), 0);
    });

    it('answers 422 when the key comes again on another route', async () => {
      const key = freshKey();
      const id = (await post('/api/job', jobJson(), key)).json().data.id;
      const reused = await post(`/api/job/${id}/update`, jobJson(), key);
      assert.equal(reused.statusCode, 422);
    });

    it('treats the same fields in another order as the same request', async () => {
      const body = jobJson();
      const key = freshKey();
      const first = await post('/api/job', body, key);
      const reordered = Object.fromEntries(Object.entries(body).reverse());
      const again = await post('/api/job', reordered, key);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.body, first.body);
    });

    it("keeps each client's keys apart: another tenant's request with the same key is its own", async () => {
      const key = freshKey();
      assert.equal((await post('/api/job', jobJson(), key)).statusCode, 201);
      const tenant = await createTenant(suite.test.app);
      const theirs = await post('/api/job', jobJson({ organisation: tenant.organisation }), key, await issueToken(suite.test.app, tenant));
      assert.equal(theirs.statusCode, 201, theirs.body);
      assert.equal(theirs.headers['idempotent-replayed'], undefined);
      assert.equal(theirs.json().data.organisation.data.handle, tenant.organisation);
    });

    it('answers 409 in the envelope, with Retry-After, while the first request with the key is still running', async () => {
      const body = jobJson();
      const key = freshKey();
      const now = new Date().toISOString();
      // An attempt in flight: claimed just now, not yet answered.
      await db().insertInto('idempotency_keys').values({
        principal: await demoPrincipal(), key, fingerprint: fingerprintOf('POST', '/api/job', body), claimed_at: now, created_at: now, expires_at: '2999-01-01T00:00:00.000Z',
      }).execute();
      const busy = await post('/api/job', body, key);
      assert.equal(busy.statusCode, 409, busy.body);
      assert.equal(busy.headers['retry-after'], '1');
      assert.equal(busy.json().data.status_code, 409);
      assert.equal(await jobsWithReference(body.reference as string), 0);
    });

    it(`takes over a claim that has not answered for ${ABANDONED_AFTER_SECONDS} s (its process died), and answers the retry`, async () => {
      const body = jobJson();
      const key = freshKey();
      const owner = await demoPrincipal();
      const longAgo = new Date(Date.now() - (ABANDONED_AFTER_SECONDS + 1) * 1000).toISOString();
      await db().insertInto('idempotency_keys').values({
        principal: owner, key, fingerprint: fingerprintOf('POST', '/api/job', body), claimed_at: longAgo, created_at: longAgo, expires_at: '2999-01-01T00:00:00.000Z',
      }).execute();
      const retry = await post('/api/job', body, key);
      assert.equal(retry.statusCode, 201, retry.body);
      assert.equal((await post('/api/job', body, key)).headers['idempotent-replayed'], 'true');
      assert.equal(await jobsWithReference(body.reference as string), 1);
    });

    it('never runs again a create that committed but lost its answer with its process: the retry is 409 and one job stays', async () => {
      const body = jobJson();
      const key = freshKey();
      assert.equal((await post('/api/job', body, key)).statusCode, 201);
      const row = await db().selectFrom('idempotency_keys').select(['committed_at', 'target_type', 'target_id']).where('key', '=', key).executeTakeFirstOrThrow();
      assert.ok(row.committed_at, 'marked committed in the write\'s transaction');
      assert.equal(row.target_type, 'job');
      // As if the process died after the commit, before the answer was stored.
      const longAgo = new Date(Date.now() - (ABANDONED_AFTER_SECONDS + 1) * 1000).toISOString();
      await db().updateTable('idempotency_keys').set({ response_status: null, response_headers: null, response_body: null, claimed_at: longAgo }).where('key', '=', key).execute();
      const retry = await post('/api/job', body, key);
      assert.equal(retry.statusCode, 409, retry.body);
      assert.match(retry.json().data.message, /carried out, but its answer was lost/);
      assert.equal(retry.headers['retry-after'], undefined, 'retrying would not help');
      assert.equal(await jobsWithReference(body.reference as string), 1);
    });

    it('answers concurrent identical requests once: one creates, the other is 409 or its replay', async () => {
      const body = jobJson();
      const key = freshKey();
      const answers = await Promise.all([post('/api/job', body, key), post('/api/job', body, key)]);
      const originals = answers.filter((answer) => answer.statusCode === 201 && answer.headers['idempotent-replayed'] === undefined);
      const others = answers.filter((answer) => !originals.includes(answer));
      assert.equal(originals.length, 1, answers.map((answer) => answer.body).join('\n'));
      assert.ok(others[0]?.statusCode === 409 || others[0]?.headers['idempotent-replayed'] === 'true', others[0]?.body);
      assert.equal(await jobsWithReference(body.reference as string), 1);
    });

    it('stores a 4xx answer too, so the retry gets the same 422 (Stripe\'s rule)', async () => {
      const key = freshKey();
      const body = jobJson({ name: '' });
      const first = await post('/api/job', body, key);
      const again = await post('/api/job', body, key);
      assert.equal(first.statusCode, 422);
      assert.equal(again.statusCode, 422);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.body, first.body);
    });

    it(`forgets a key after ${KEY_KEPT_SECONDS / 3600} hours: the same key and body then run afresh`, async (t) => {
      const body = jobJson();
      const key = freshKey();
      const first = await post('/api/job', body, key);
      assert.equal(first.statusCode, 201, first.body);
      t.mock.timers.enable({ apis: ['Date'], now: Date.now() + (KEY_KEPT_SECONDS + 1) * 1000 });
      // The token of a day ago has expired with the key; a new one is issued at the new time.
      const later = await post('/api/job', body, key, await issueToken(suite.test.app));
      t.mock.timers.reset();
      assert.equal(later.headers['idempotent-replayed'], undefined);
      assert.deepEqual(later.json().data.errors, { reference: ['The reference has already been taken.'] }, 'run again, not replayed');
      assert.equal(await jobsWithReference(body.reference as string), 1);
    });

    it('changes nothing without the header: a repeated POST runs again', async () => {
      const body = jobJson();
      assert.equal((await post('/api/job', body)).statusCode, 201);
      const again = await post('/api/job', body);
      assert.equal(again.headers['idempotent-replayed'], undefined);
      assert.deepEqual(again.json().data.errors, { reference: ['The reference has already been taken.'] });
      assert.equal(await jobsWithReference(body.reference as string), 1);
    });

    for (const [what, key] of [['empty', ''], ['longer than 255 characters', 'k'.repeat(256)], ['not printable ASCII', 'clé'], ['a broken string', '"open']] as const) {
      it(`answers 400 in the envelope for a key that is ${what}, and writes nothing`, async () => {
        const body = jobJson();
        const refused = await post('/api/job', body, key);
        assert.equal(refused.statusCode, 400, refused.body);
        assert.match(refused.json().data.message, /Idempotency-Key/);
        assert.equal(await jobsWithReference(body.reference as string), 0);
      });
    }

    it('reads a key sent as a Structured Field string ("…") as the key within the quotes', async () => {
      const body = jobJson();
      const key = freshKey();
      await post('/api/job', body, key);
      const quoted = await post('/api/job', body, `"${key}"`);
      assert.equal(quoted.headers['idempotent-replayed'], 'true');
    });
  });

  describe('POST /api/job/{id}/update and /delete', () => {
    it('replays an update rather than applying it twice', async () => {
      const id = (await post('/api/job', jobJson())).json().data.id;
      const key = freshKey();
      const first = await post(`/api/job/${id}/update`, { name: 'Chief Accountant' }, key);
      const again = await post(`/api/job/${id}/update`, { name: 'Chief Accountant' }, key);
      assert.equal(first.statusCode, 200);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.body, first.body, 'the same updated_at: the update ran once');
    });

    it('replays the acknowledgement of a delete where a second delete would be 422', async () => {
      const id = (await post('/api/job', jobJson())).json().data.id;
      const key = freshKey();
      assert.equal((await post(`/api/job/${id}/delete`, {}, key)).statusCode, 200);
      const again = await post(`/api/job/${id}/delete`, {}, key);
      assert.equal(again.statusCode, 200);
      assert.deepEqual(again.json(), { data: { acknowledged: true } });
      assert.equal((await post(`/api/job/${id}/delete`, {})).statusCode, 422);
    });
  });

  describe('POST /api/job/{id}/apply', () => {
    it('replays a multipart application with its CV, storing one application; other CV bytes under the key are 422', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const board = await issueBoardToken(suite.test.app);
      const parts = [...applicationParts(), ['cv', upload(PDF, 'cv.pdf', 'application/pdf')]] as Parameters<typeof postApplicationForm>[3];
      const key = freshKey();
      const send = (withParts: typeof parts) => {
        const { body, contentType } = multipartBytes(withParts);
        return suite.test.app.inject({
          method: 'POST', url: `/api/job/${jobId}/apply`, payload: body, headers: { ...auth(board), 'content-type': contentType, 'idempotency-key': key },
        });
      };
      const first = await send(parts);
      const again = await send(parts);
      assert.equal(first.statusCode, 201, first.body);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.body, first.body);
      const otherCv = parts.map((part) => (part[0] === 'cv' ? ['cv', upload(Buffer.concat([PDF, Buffer.from('%another\n')]), 'cv.pdf', 'application/pdf')] : part)) as typeof parts;
      assert.equal((await send(otherCv)).statusCode, 422);
      const stored = await db().selectFrom('applications').select('id').where('job_id', '=', jobId).execute();
      assert.equal(stored.length, 1);
    });

    it('forgets the kept answer once the application is erased: the retry is 410, and applies nothing again', async () => {
      const jobId = await createLiveJob(suite.test, suite.token);
      const board = await issueBoardToken(suite.test.app);
      const key = freshKey();
      const body = { first_name: 'Erin', last_name: 'Erased', email: `erin.${freshKey()}@example.com`, consent: true };
      const first = await post(`/api/job/${jobId}/apply`, body, key, board);
      assert.equal(first.statusCode, 201, first.body);
      const erased = await post(`/api/application/${first.json().data.id}/delete`, {});
      assert.equal(erased.statusCode, 200, erased.body);
      const row = await db().selectFrom('idempotency_keys').select(['response_status', 'response_body']).where('key', '=', key).executeTakeFirstOrThrow();
      assert.deepEqual(row, { response_status: 410, response_body: null });
      const retry = await post(`/api/job/${jobId}/apply`, body, key, board);
      assert.equal(retry.statusCode, 410, retry.body);
      assert.doesNotMatch(retry.body, /Erin|Erased/);
      const stored = await db().selectFrom('applications').select('id').where('job_id', '=', jobId).execute();
      assert.equal(stored.length, 1);
    });
  });

  describe('POST /api/job/{id}/apply to a REDIRECT job', () => {
    it('replays the 303 with its Location, counting one click', async () => {
      const jobId = await createLiveJob(suite.test, suite.token, { apply_type: 'REDIRECT', apply_url: 'https://employer.example/apply?job=7' });
      const board = await issueBoardToken(suite.test.app);
      const key = freshKey();
      const first = await post(`/api/job/${jobId}/apply`, {}, key, board);
      const again = await post(`/api/job/${jobId}/apply`, {}, key, board);
      assert.equal(first.statusCode, 303);
      assert.equal(again.statusCode, 303);
      assert.equal(again.headers.location, 'https://employer.example/apply?job=7');
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.headers['content-type'], first.headers['content-type']);
      assert.equal(again.body, '');
      const counts = await db().selectFrom('job_counters').select('apply_clicks').where('job_id', '=', jobId).execute();
      assert.deepEqual(counts.map((row) => row.apply_clicks), [1]);
    });
  });

  describe('POST /api/webhook', () => {
    it('replays the creation with the same secret, which the store holds sealed, never readable', async () => {
      const key = freshKey();
      const first = await post('/api/webhook', webhookBody(), key);
      const again = await post('/api/webhook', webhookBody(), key);
      assert.equal(first.statusCode, 201, first.body);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.json().data.secret, first.json().data.secret);
      const row = await db().selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(row).includes(first.json().data.secret));
      assert.ok(!Buffer.from(row.response_body ?? '', 'base64').includes(first.json().data.secret));
    });
  });

  describe('pruning', () => {
    it('removes the keys expired by the time given and keeps the rest', async () => {
      const now = new Date().toISOString();
      const row = (key: string, expires: string) => ({ principal: 'client:0', key, fingerprint: 'f', claimed_at: now, created_at: now, expires_at: expires });
      await db().insertInto('idempotency_keys').values([row('old', '2000-01-01T00:00:00.000Z'), row('new', '2999-01-01T00:00:00.000Z')]).execute();
      assert.equal(await pruneExpiredKeys(db(), now), 1);
      const left = await db().selectFrom('idempotency_keys').select('key').where('principal', '=', 'client:0').execute();
      assert.deepEqual(left, [{ key: 'new' }]);
    });
  });

  /** The demo vendor's scope of keys, as a request of its stores it. */
  async function demoPrincipal() {
    const key = freshKey();
    await post('/api/job', { name: '' }, key);
    return (await db().selectFrom('idempotency_keys').select('principal').where('key', '=', key).executeTakeFirstOrThrow()).principal;
  }

});

/* Two servers on one PostgreSQL database stand for two machines (two on one SQLite file are two processes: test/server/workers.test.ts). */
if (stores.includes('postgres')) describe('Idempotency-Key across machines [postgres]', () => {
  const suite = useTestApp('postgres');

  it('replays on one server the answer another gave, from the shared store', async () => {
    const other = await buildApp(loadConfig(suiteEnv(suite.test.config)));
    try {
      const body = jobJson();
      const key = freshKey();
      const headers = { ...auth(suite.token), 'idempotency-key': key };
      const first = await suite.test.app.inject({ method: 'POST', url: '/api/job', payload: body, headers });
      const again = await other.inject({ method: 'POST', url: '/api/job', payload: body, headers });
      assert.equal(first.statusCode, 201, first.body);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.body, first.body);
    } finally {
      await other.close();
    }
  });
});

/** The settings of a test app, as the environment a second server on the same store starts from. */
function suiteEnv(config: Config): Record<string, string> {
  return {
    DATABASE_URL: config.databaseUrl,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: config.publicUrl,
    MEDIA_DIR: config.mediaDir,
    DELIVERY_POLL_MS: '0',
    WEBHOOK_SIGNING_KEY: 'test-signing-key-of-at-least-thirty-two-bytes',
    LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS: '0',
    LOAD_SHEDDING_MAX_EVENT_LOOP_UTILISATION: '0',
  };
}

