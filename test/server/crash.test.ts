import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { jobJson } from '../support/fixtures.ts';
import { dropPostgresSchema, freshPostgresUrl, stores } from '../support/stores.ts';
import { bearer, issueToken, type ServerProcess, startServer, useServerSandbox } from './process.ts';

/*
 * Durability as a vendor sees it: a storm of creates, the server killed with
 * SIGKILL in the middle of it, then started again on the same store. Every
 * create that was answered 201 must be there, byte for byte as it was
 * answered; every job the store holds must be whole (readable, and found by
 * its words, so that its full-text entry was committed with it).
 */

const STORM_CONNECTIONS = 12;
const ACKNOWLEDGED_BEFORE_KILL = 150;
const STORM_WORD = 'Crashproof';

interface Storm {
  /** The bodies of the creates answered 201, by job id. */
  readonly acknowledged: Map<number, string>;
  /** Creates sent but never answered (cut off by the kill). */
  unanswered: number;
}

/** Creates jobs on `connections` loops until the server dies; resolves once every loop has stopped. */
function createUntilKilled(server: ServerProcess, token: string, onAcknowledged: (count: number) => void): Promise<Storm> {
  const storm: Storm = { acknowledged: new Map(), unanswered: 0 };
  let sent = 0;
  const loop = async () => {
    for (;;) {
      sent += 1;
      const body = JSON.stringify(jobJson({ name: `${STORM_WORD} Welder ${sent}`, reference: `CRASH-${sent}` }));
      const response = await server
        .send('POST', '/api/job', { headers: { ...bearer(token), 'content-type': 'application/json' }, body })
        .catch(() => null);
      if (response === null) {
        storm.unanswered += 1;
        return;
      }
      assert.equal(response.status, 201, response.body);
      const job = JSON.parse(response.body).data;
      storm.acknowledged.set(job.id, JSON.stringify(job));
      onAcknowledged(storm.acknowledged.size);
    }
  };
  return Promise.all(Array.from({ length: STORM_CONNECTIONS }, loop)).then(() => storm);
}

async function readJob(server: ServerProcess, token: string, id: number): Promise<string> {
  const response = await server.send('GET', `/api/job/${id}`, { headers: bearer(token) });
  assert.equal(response.status, 200, `job ${id} acknowledged but unreadable after the crash: ${response.body}`);
  return JSON.stringify(JSON.parse(response.body).data);
}

async function totalOf(server: ServerProcess, token: string, query: string): Promise<number> {
  const response = await server.send('GET', `/api/job?${query}`, { headers: bearer(token) });
  assert.equal(response.status, 200, response.body);
  return JSON.parse(response.body).meta.pagination.total as number;
}

for (const store of stores) {
  describe(`a create storm killed with SIGKILL (${store})`, { timeout: 240_000 }, () => {
    const sandbox = useServerSandbox('jobspace-crash-');
    const postgres = freshPostgresUrl();
    after(() => (store === 'postgres' ? dropPostgresSchema(postgres.schema) : undefined));

    it('keeps every acknowledged job, identical, and no job half-written', async () => {
      const databaseUrl = store === 'postgres' ? postgres.url : sandbox.sqliteUrl('crash');
      // One public address for both starts, so that links in the answers do not differ by port.
      const env = { DATABASE_URL: databaseUrl, RATE_LIMIT_PER_MINUTE: '0', PUBLIC_URL: 'http://jobs.example.test' };
      const first = (sandbox.server = await startServer(env));
      const { token } = await issueToken(first);
      const storm = await createUntilKilled(first, token, (count) => {
        if (count === ACKNOWLEDGED_BEFORE_KILL) first.child.kill('SIGKILL');
      });
      await first.exitCode();
      assert.equal(first.child.signalCode, 'SIGKILL');
      assert.ok(storm.acknowledged.size >= ACKNOWLEDGED_BEFORE_KILL);
      assert.ok(storm.unanswered > 0, 'the kill should have cut some creates off');

      const second = (sandbox.server = await startServer(env));
      const { token: again } = await issueToken(second);
      for (const [id, answered] of storm.acknowledged) assert.equal(await readJob(second, again, id), answered, `job ${id}`);

      // A create cut off by the kill may or may not have committed, but not more of them than were cut off.
      const stored = await totalOf(second, again, 'page[size]=1');
      assert.ok(stored >= storm.acknowledged.size && stored <= storm.acknowledged.size + storm.unanswered, `${stored} stored`);
      assert.equal(await totalOf(second, again, `q=${STORM_WORD}&page[size]=1`), stored, 'a stored job missing from the full-text index');

      if (store === 'sqlite') {
        const file = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
        try {
          assert.equal(file.pragma('integrity_check', { simple: true }), 'ok');
        } finally {
          file.close();
        }
      }
    });
  });
}
