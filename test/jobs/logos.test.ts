import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, useTestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { formFields, freshImage, IMAGES, jobJson, multipartBytes, upload, type FilePart } from '../support/fixtures.ts';
import { openFolderStorage, type MediaStorage } from '../../src/media/storage.ts';
import { logoKey, removeUnreferencedLogos, sweepUnreferencedLogos } from '../../src/media/logos.ts';
import { sniffImageType } from '../../src/media/images.ts';

const CONTENT_TYPES = { png: 'image/png', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };
const EXTENSIONS = { png: 'png', jpeg: 'jpg', gif: 'gif', webp: 'webp' };

/** A PNG signature followed by padding, of exactly this many bytes. */
const pngOfSize = (bytes: number) => Buffer.concat([IMAGES.png, Buffer.alloc(bytes - IMAGES.png.length)]);

const LOGO_PATH = /^http:\/\/jobs\.test\/media\/([0-9a-f]{64})\.(png|jpg|gif|webp)$/;

for (const store of stores) describe(`job logos [${store}]`, () => {
  const suite = useTestApp(store);

  const postForm = (url: string, parts: [string, string | FilePart][]) => {
    const { body, contentType } = multipartBytes(parts);
    return suite.test.app.inject({ method: 'POST', url, payload: body, headers: { ...auth(suite.token), 'content-type': contentType } });
  };
  const postJson = (url: string, payload: Record<string, unknown>) =>
    suite.test.app.inject({ method: 'POST', url, payload, headers: auth(suite.token) });
  /** Creates a job from form fields plus these extra parts; answers the resource. */
  const createWith = async (parts: [string, string | FilePart][], overrides: Record<string, unknown> = {}) => {
    const response = await postForm('/api/job', [...formFields(jobJson(overrides)), ...parts]);
    assert.equal(response.statusCode, 201, response.body);
    return response.json().data;
  };
  const updateWith = async (id: number, parts: [string, string | FilePart][]) => {
    const response = await postForm(`/api/job/${id}/update`, parts);
    assert.equal(response.statusCode, 200, response.body);
    return response.json().data;
  };
  const readJob = async (id: number) => (await suite.test.app.inject({ url: `/api/job/${id}`, headers: auth(suite.token) })).json().data;
  /** What a browser showing the board would get for a logo: no suite.token, no Accept. */
  const fetchLogo = (path: string) => suite.test.app.inject({ url: new URL(path).pathname });
  const storedFiles = () => readdirSync(suite.test.config.mediaDir).filter((name) => !name.startsWith('.')).sort();
  const logoRows = async () => Number((await suite.test.app.store.db.selectFrom('job_media').select((eb) => eb.fn.countAll().as('rows')).executeTakeFirstOrThrow()).rows);

  describe('POST /api/job with a logo file', () => {
    for (const type of ['png', 'jpeg', 'gif', 'webp'] as const) {
      it(`stores a ${type} told by its bytes and shows it in media.data, served at its path`, async () => {
        const job = await createWith([['logo', upload(IMAGES[type])]]);
        assert.equal(job.media.data.length, 1);
        const [logo] = job.media.data;
        assert.equal(typeof logo.id, 'number');
        assert.equal(logo.type, 'JOB_LOGO');
        const match = LOGO_PATH.exec(logo.path);
        assert.ok(match, logo.path);
        assert.equal(match[2], EXTENSIONS[type]);
        assert.deepEqual((await readJob(job.id)).media, job.media, 'a later read shows the same logo');

        const served = await fetchLogo(logo.path);
        assert.equal(served.statusCode, 200);
        assert.equal(served.headers['content-type'], CONTENT_TYPES[type]);
        assert.equal(served.headers['cache-control'], 'public, max-age=31536000, immutable');
        assert.equal(served.headers['x-content-type-options'], 'nosniff');
        assert.equal(Number(served.headers['content-length']), IMAGES[type].length);
        assert.deepEqual(served.rawPayload, IMAGES[type]);
      });
    }

    it('keeps one file for the same bytes, whichever jobs show them', async () => {
      const first = await createWith([['logo', upload(IMAGES.png, 'a.png', 'image/png')]]);
      const second = await createWith([['logo', upload(IMAGES.png, 'b.jpg', 'image/jpeg')]]);
      assert.equal(first.media.data[0].path, second.media.data[0].path);
      assert.notEqual(first.media.data[0].id, second.media.data[0].id);
      const name = new URL(first.media.data[0].path).pathname.split('/').pop();
      assert.equal(storedFiles().filter((file) => file === name).length, 1);
    });

    it('answers 422 for text bytes named logo.png and declared image/png, and stores nothing', async () => {
      const [filesBefore, rowsBefore] = [storedFiles(), await logoRows()];
      const fake = upload(Buffer.from('GIF8 is not enough: this is plain text\n'), 'logo.png', 'image/png');
      const response = await postForm('/api/job', [...formFields(jobJson()), ['logo', fake]]);
      assert.equal(response.statusCode, 422, response.body);
      assert.deepEqual(response.json().data.errors, { logo: ['The logo must be a file of type: png, jpeg, gif, webp.'] });
      assert.deepEqual(storedFiles(), filesBefore);
      assert.equal(await logoRows(), rowsBefore);
    });

    it('answers 422 for a logo over 2048 kilobytes, and takes one of exactly 2048', async () => {
      const tooLarge = await postForm('/api/job', [...formFields(jobJson()), ['logo', upload(pngOfSize(2048 * 1024 + 1))]]);
      assert.equal(tooLarge.statusCode, 422, tooLarge.body);
      assert.deepEqual(tooLarge.json().data.errors, { logo: ['The logo may not be greater than 2048 kilobytes.'] });
      const largest = await createWith([['logo', upload(pngOfSize(2048 * 1024))]]);
      assert.equal((await fetchLogo(largest.media.data[0].path)).rawPayload.length, 2048 * 1024);
    });

    it('names the logo among every failing field of one 422', async () => {
      const job = formFields(jobJson({ name: undefined, open_date: 'someday' }));
      const response = await postForm('/api/job', [...job, ['logo', upload(Buffer.from('<svg/>'))]]);
      assert.equal(response.statusCode, 422);
      const { errors } = response.json().data;
      assert.deepEqual(Object.keys(errors).sort(), ['logo', 'name', 'open_date']);
    });

    it('answers 422 to a logo that is not a file: JSON and urlencoded bodies cannot carry one', async () => {
      const response = await postJson('/api/job', jobJson({ logo: IMAGES.png.toString('base64') }));
      assert.equal(response.statusCode, 422);
      assert.deepEqual(response.json().data.errors, { logo: ['The logo must be a file.'] });
    });

    it('answers 422 when both logo and logo_url are sent', async () => {
      const response = await postForm('/api/job', [
        ...formFields(jobJson()), ['logo', upload(IMAGES.gif)], ['logo_url', 'https://cdn.example/logo.gif'],
      ]);
      assert.equal(response.statusCode, 422);
      assert.deepEqual(response.json().data.errors, { logo_url: ['The logo url field must be missing when logo is present.'] });
    });
  });

  describe('POST /api/job with logo_url', () => {
    it('shows the URL exactly as given, and never fetches it', async () => {
      const requests: string[] = [];
      const server = createServer((request, response) => {
        requests.push(request.url ?? '');
        response.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const given = `http://127.0.0.1:${(server.address() as AddressInfo).port}/Logos/ACME%20Ltd.png?v=2#top`;
        const response = await postJson('/api/job', jobJson({ logo_url: given }));
        assert.equal(response.statusCode, 201, response.body);
        const job = response.json().data;
        assert.deepEqual(job.media.data, [{ id: job.media.data[0].id, type: 'JOB_LOGO', path: given }]);
        assert.deepEqual((await readJob(job.id)).media, job.media);
        assert.deepEqual(requests, []);
      } finally {
        server.close();
      }
    });

    it('answers 422 for a URL that is not http(s) or longer than 3,000 characters', async () => {
      const notHttp = await postJson('/api/job', jobJson({ logo_url: 'ftp://cdn.example/logo.png' }));
      assert.deepEqual(notHttp.json().data.errors, { logo_url: ['The logo url format is invalid.'] });
      const long = await postJson('/api/job', jobJson({ logo_url: `https://cdn.example/${'a'.repeat(2981)}` }));
      assert.deepEqual(long.json().data.errors, { logo_url: ['The logo url may not be greater than 3000 characters.'] });
    });
  });

  describe('POST /api/job/{id}/update', () => {
    it('replaces the logo, removing the old file once no job shows it', async () => {
      const job = await createWith([['logo', upload(freshImage('jpeg'))]]);
      const oldPath = job.media.data[0].path;
      const updated = await updateWith(job.id, [['logo', upload(freshImage('webp'))]]);
      const newPath = updated.media.data[0].path;
      assert.match(newPath, /\.webp$/);
      assert.equal((await fetchLogo(newPath)).statusCode, 200);
      const gone = await fetchLogo(oldPath);
      assert.equal(gone.statusCode, 404);
      assert.deepEqual(gone.json(), { data: { message: '404 Not Found', status_code: 404 } });
    });

    it('keeps the old file while another job still shows it', async () => {
      const shared = upload(freshImage('png'));
      const job = await createWith([['logo', shared]]);
      await createWith([['logo', shared]]);
      await updateWith(job.id, [['logo_url', 'https://cdn.example/new.png']]);
      assert.equal((await fetchLogo(job.media.data[0].path)).statusCode, 200);
    });

    it('keeps the logo when neither logo field is sent', async () => {
      const job = await createWith([['logo', upload(IMAGES.gif)]]);
      const updated = await updateWith(job.id, [['name', 'Renamed']]);
      assert.equal(updated.job_title, 'Renamed');
      assert.deepEqual(updated.media, job.media);
    });

    it('removes the logo, and its file, when logo_url is sent empty', async () => {
      const job = await createWith([['logo', upload(freshImage('png'))]]);
      const updated = await updateWith(job.id, [['logo_url', '']]);
      assert.deepEqual(updated.media, { data: [] });
      assert.equal((await fetchLogo(job.media.data[0].path)).statusCode, 404);
    });

    it('removes the logo when logo is sent as a file part without bytes, as a blank file input sends it', async () => {
      const job = await createWith([['logo_url', 'https://cdn.example/blank.png']]);
      const updated = await updateWith(job.id, [['logo', upload(Buffer.alloc(0), '')]]);
      assert.deepEqual(updated.media, { data: [] });
    });

    it('leaves the logo as it was when the write fails, naming no file that is not there', async () => {
      const job = await createWith([['logo', upload(IMAGES.png)]]);
      const other = await createWith([]);
      const newLogo = upload(freshImage('gif'));
      const taken = await postForm(`/api/job/${job.id}/update`, [['reference', other.reference], ['logo', newLogo]]);
      assert.equal(taken.statusCode, 422, taken.body);
      assert.deepEqual((await readJob(job.id)).media, job.media);
      assert.equal((await fetchLogo(job.media.data[0].path)).statusCode, 200);
      const rows = await suite.test.app.store.db.selectFrom('job_media').select('storage_key').where('storage_key', 'is not', null).execute();
      assert.deepEqual(rows.filter((row) => !storedFiles().includes(row.storage_key as string)), [], 'every stored key has its file');
    });
  });

  describe('a file stored for a write that failed', () => {
    it('is named by no job, and swept once its grace period is over', async () => {
      const orphan = upload(freshImage('webp'));
      const other = await createWith([]);
      const refused = await postForm('/api/job', [...formFields(jobJson({ reference: other.reference })), ['logo', orphan]]);
      assert.equal(refused.statusCode, 422, refused.body);
      const orphans = storedFiles().length;
      const storage = await openFolderStorage(suite.test.config.mediaDir);
      assert.equal(await sweepUnreferencedLogos(suite.test.app.store.db, storage), 0, 'a file just put may belong to a write in flight');
      assert.equal(storedFiles().length, orphans);
      assert.equal(await sweepUnreferencedLogos(suite.test.app.store.db, storage, Date.now() + 2 * 60 * 60 * 1000), 1);
      assert.equal(storedFiles().length, orphans - 1);
      const rows = await suite.test.app.store.db.selectFrom('job_media').select('storage_key').where('storage_key', 'is not', null).execute();
      assert.ok(rows.every((row) => storedFiles().includes(row.storage_key as string)), 'no job lost its file');
    });
  });

  describe('removing a file no job names', () => {
    it('puts the file back when a write names it between the check and the removal', async () => {
      const data = freshImage('gif');
      const key = logoKey({ data, type: sniffImageType(data)! });
      const storage = await openFolderStorage(suite.test.config.mediaDir);
      await storage.put(key, data);
      const job = await createWith([]);
      // Another request commits a job naming the same bytes just as the file is removed.
      const racing: MediaStorage = {
        ...storage,
        async delete(deleted) {
          await storage.delete(deleted);
          await suite.test.app.store.db.insertInto('job_media')
            .values({ job_id: job.id, type: 'JOB_LOGO', storage_key: deleted, content_type: 'image/gif', created_at: new Date().toISOString() })
            .execute();
        },
      };
      assert.equal(await removeUnreferencedLogos(suite.test.app.store.db, racing, [key]), 0);
      assert.deepEqual(await storage.get(key), data);
      assert.deepEqual((await fetchLogo((await readJob(job.id)).media.data[0].path)).rawPayload, data);
    });
  });

  describe('GET /media/{name}', () => {
    it('answers 404 in the contract envelope for a name it does not hold or never makes', async () => {
      for (const name of [`${'0'.repeat(64)}.png`, 'logo.png', `${'a'.repeat(64)}.svg`, '..%2F..%2Fetc%2Fpasswd']) {
        const response = await suite.test.app.inject({ url: `/media/${name}` });
        assert.equal(response.statusCode, 404, name);
        assert.deepEqual(response.json(), { data: { message: '404 Not Found', status_code: 404 } });
      }
    });
  });
});
