import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

/*
 * schema.d.ts from the server's own OpenAPI document: an app is built in this
 * process on a throwaway SQLite store and asked for GET /openapi.json. The
 * document names PUBLIC_URL (servers, tokenUrl), so a fixed one keeps the
 * output the same on every machine. test/clients/typescript.test.ts runs the
 * same two functions to tell a stale schema.d.ts.
 */

export const SCHEMA_FILE = fileURLToPath(new URL('./schema.d.ts', import.meta.url));
const GENERATION_PUBLIC_URL = 'http://localhost:8080';

/** The document GET /openapi.json answers, from an app configured by nothing but a fixed PUBLIC_URL. */
export async function serverDocument(): Promise<OpenAPI3> {
  const folder = mkdtempSync(join(tmpdir(), 'jobspace-client-'));
  try {
    const config = loadConfig({
      DATABASE_URL: `sqlite:${join(folder, 'document.sqlite')}`,
      MEDIA_DIR: join(folder, 'media'),
      PUBLIC_URL: GENERATION_PUBLIC_URL,
      LOG_LEVEL: 'silent',
      DELIVERY_POLL_MS: '0',
    });
    const app = await buildApp(config);
    try {
      const response = await app.inject({ url: '/openapi.json' });
      if (response.statusCode !== 200) throw new Error(`GET /openapi.json answered ${response.statusCode}: ${response.body}`);
      return response.json();
    } finally {
      await app.close();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** openapi-typescript's types for a document, with its do-not-edit header. */
export async function schemaSource(document: OpenAPI3): Promise<string> {
  return COMMENT_HEADER + astToString(await openapiTS(document, { silent: true }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const source = await schemaSource(await serverDocument());
  writeFileSync(SCHEMA_FILE, source);
  console.log(`wrote ${SCHEMA_FILE} (${source.length} characters)`);
}
