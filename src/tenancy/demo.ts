import { randomBytes } from 'node:crypto';
import type { Db } from '../db/types.ts';
import type { DemoCredentials } from '../config.ts';
import { createClient, createOrganisation, createSite, createUser } from './service.ts';

export interface DemoTenant {
  organisation: string;
  siteIds: number[];
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
  /** A board client on both sites: what a job board's own site uses to list jobs and send applications. */
  boardClientId: string;
  boardClientSecret: string;
}

/*
 * The contract's demo tenant, made once on a brand-new database outside
 * production so that R1's example requests run as printed, and a board
 * client beside it so that the README's walkthrough can apply for a job.
 */
export async function createDemoTenant(db: Db, credentials: DemoCredentials, publicUrl: string): Promise<DemoTenant> {
  const siteIds = [
    await createSite(db, { handle: 'jobspace', name: 'The Job Space', url: publicUrl }),
    await createSite(db, { handle: 'jobspace-partner', name: 'The Job Space Partner Board', url: `${publicUrl}/partner` }),
  ];
  await createOrganisation(db, { handle: 'JDT', name: 'JDT Recruitment (demo)', credits: null });
  const username = credentials.username ?? 'demo@jobspace.example';
  const password = credentials.password ?? randomBytes(12).toString('base64url');
  await createUser(db, { username, password, name: 'Demo User', organisation: 'JDT', timezone: 'America/New_York' });
  const client = await createClient(db, {
    name: 'Demo vendor',
    siteIds,
    allowBasic: true,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
  });
  const board = await createClient(db, { name: 'Demo board', siteIds, allowBasic: false, board: true });
  return {
    organisation: 'JDT',
    siteIds,
    username,
    password,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    boardClientId: board.clientId,
    boardClientSecret: board.clientSecret,
  };
}

/** A shell word: whatever the operator chose as a credential pastes safely. */
const shellWord = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`);

/**
 * What start-up prints once the demo tenant is made: the credentials, and the
 * line the README's walkthrough starts from.
 */
export function demoTenantBanner(demo: DemoTenant, publicUrl: string): string {
  const variables = {
    BASE: publicUrl,
    CLIENT_ID: demo.clientId,
    CLIENT_SECRET: demo.clientSecret,
    USERNAME: demo.username,
    PASSWORD: demo.password,
    BOARD_CLIENT_ID: demo.boardClientId,
    BOARD_CLIENT_SECRET: demo.boardClientSecret,
  };
  const exported = Object.entries(variables).map(([name, value]) => `${name}=${shellWord(value)}`);
  return [
    '',
    'Demo tenant created (shown once; set JOBSPACE_DEMO_* to choose the credentials):',
    `  organisation   ${demo.organisation} (sites ${demo.siteIds.join(', ')})`,
    `  client_id      ${demo.clientId}`,
    `  client_secret  ${demo.clientSecret}`,
    `  username       ${demo.username}`,
    `  password       ${demo.password}`,
    `  board client   ${demo.boardClientId} / ${demo.boardClientSecret} (client_credentials: a job board's own site)`,
    '',
    "For the README's walkthrough, paste this line into your shell:",
    `  export ${exported.join(' ')}`,
    '',
    '',
  ].join('\n');
}
