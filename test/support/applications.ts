import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { createClient } from '../../src/tenancy/service.ts';
import { auth, type TestApp } from './app.ts';
import { jobJson, multipartBytes, type FilePart } from './fixtures.ts';

/* What applications need in tests: a board's token, live jobs of each apply type, and CVs of each kind. */

/** A board client on these sites and its client_credentials token. */
export async function issueBoardToken(app: FastifyInstance, siteIds: number[] = [1]): Promise<string> {
  const client = await createClient(app.store.db, { name: `Board ${Math.random().toString(36).slice(2, 8)}`, siteIds, allowBasic: false, board: true });
  const grant = await app.inject({
    method: 'POST', url: '/oauth/token',
    payload: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret },
  });
  assert.equal(grant.statusCode, 200, grant.body);
  return grant.json().access_token;
}

export const today = () => new Date().toISOString().slice(0, 10);

/** A job open today and for years, by this vendor token; answers its id. */
export async function createLiveJob(test: TestApp, token: string, overrides: Record<string, unknown> = {}): Promise<number> {
  const response = await test.app.inject({
    method: 'POST', url: '/api/job', headers: auth(token),
    payload: jobJson({ open_date: today(), close_date: '2099-12-31', ...overrides }),
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().data.id;
}

let candidates = 0;

/** A valid application's JSON fields, a new e-mail each time. */
export function applicationJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  candidates += 1;
  return {
    first_name: 'Ada',
    last_name: 'Candidate',
    email: `ada.candidate.${candidates}.${Date.now()}@example.com`,
    phone: '+44 114 496 0000',
    cover_letter: 'I keep excellent books.',
    source: 'newsletter',
    consent: true,
    ...overrides,
  };
}

/** A minimal PDF that readers open: header, catalogue, pages, trailer. */
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);
export const ELF = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\x00', 'latin1'), Buffer.alloc(56)]);
export const PE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(56), Buffer.from('PE\x00\x00', 'latin1')]);

export function postApplication(test: TestApp, token: string, jobId: number, payload: Record<string, unknown>) {
  return test.app.inject({ method: 'POST', url: `/api/job/${jobId}/apply`, headers: auth(token), payload });
}

export function postApplicationForm(test: TestApp, token: string, jobId: number, parts: [string, string | FilePart][]) {
  const { body, contentType } = multipartBytes(parts);
  return test.app.inject({ method: 'POST', url: `/api/job/${jobId}/apply`, payload: body, headers: { ...auth(token), 'content-type': contentType } });
}

/** An application's JSON fields as form parts. */
export const applicationParts = (overrides: Record<string, unknown> = {}): [string, string][] =>
  Object.entries(applicationJson(overrides)).map(([key, value]) => [key, String(value)]);

/** A ZIP of stored (uncompressed) entries, as a writer of DOCX or ODT files lays it out. */
export function zipOf(entries: [string, string][]): Buffer {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of entries) {
    const data = Buffer.from(text);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    directory.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directoryBytes = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directoryBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directoryBytes, end]);
}

export const DOCX = zipOf([['[Content_Types].xml', '<Types/>'], ['word/document.xml', '<w:document/>']]);
export const ODT = zipOf([['mimetype', 'application/vnd.oasis.opendocument.text'], ['content.xml', '<office:document-content/>']]);
