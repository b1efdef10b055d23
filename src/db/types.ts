import type { Generated, Kysely, Transaction } from 'kysely';

/*
 * Column conventions shared by both dialects, so that repositories never
 * branch on the store: timestamps are ISO 8601 UTC strings, dates are
 * YYYY-MM-DD strings, booleans are 0/1 integers.
 */

export interface SitesTable {
  id: Generated<number>;
  handle: string;
  name: string;
  url: string;
  created_at: string;
  updated_at: string;
}

export interface OrganisationsTable {
  id: Generated<number>;
  handle: string;
  name: string;
  /** Job postings left; null means unlimited. */
  credits: number | null;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  name: string;
  timezone: string | null;
  created_at: string;
  updated_at: string;
}

export interface MembershipsTable {
  user_id: number;
  organisation_id: number;
}

export interface ApiClientsTable {
  id: Generated<number>;
  client_id: string;
  secret_hash: string;
  name: string;
  /** 'vendor' acts for users and writes; 'board' reads live jobs on its sites. */
  kind: Generated<'vendor' | 'board'>;
  allow_basic: number;
  revoked_at: string | null;
  created_at: string;
  /** The digest of the secret a rotation replaced, verifying until previous_secret_expires_at (migration 0011). */
  previous_secret_hash: Generated<string | null>;
  previous_secret_expires_at: Generated<string | null>;
}

export interface ApiClientSitesTable {
  api_client_id: number;
  site_id: number;
}

/** What access and refresh tokens share. */
interface TokenColumns {
  id: Generated<number>;
  token_hash: string;
  api_client_id: number;
  user_id: number | null;
  /** Every token issued from one password grant shares a family, revoked as one. */
  family: string;
  expires_at: string;
  revoked_at: string | null;
  created_at: string;
}

export type AccessTokensTable = TokenColumns;

export interface RefreshTokensTable extends TokenColumns {
  user_id: number;
  used_at: string | null;
}

/** One row (id 1), raised by the store's triggers on every change to what a token grants (migration 0003). */
export interface AuthGenerationTable {
  id: number;
  /** A bigint: PostgreSQL returns it as a string. */
  generation: number | string;
}

export interface CountriesTable {
  id: number;
  iso: string;
  iso3: string;
  name: string;
  geo_lat: number;
  geo_lon: number;
}

export interface CurrenciesTable {
  id: number;
  iso_code: string;
  name: string;
  symbol: string;
  unicode: string;
}

export interface HandleLookupTable {
  id: number;
  handle: string;
  name: string;
}

export interface JobTypesTable extends HandleLookupTable {
  created_at: string;
  updated_at: string;
}

export interface JobCategoriesTable extends HandleLookupTable {
  parent_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface SalaryFrequenciesTable extends HandleLookupTable {
  per_year: number;
}

export interface LanguagesTable {
  id: number;
  iso_code: string;
  name: string;
}

export interface JobsTable {
  id: Generated<number>;
  organisation_id: number;
  reference: string;
  title: string;
  summary: string;
  description: string;
  benefits: string | null;
  skills: string | null;
  open_date: string;
  close_date: string;
  country_id: number;
  premise: string;
  sub_premise: string | null;
  thoroughfare: string | null;
  locality: string | null;
  main_area: string;
  sub_area: string | null;
  postcode_id: number | null;
  location_display: string;
  geo_lat: number;
  geo_lon: number;
  /** Where the coordinates came from: 'given' by the vendor, or geocoded to a 'place' or a 'country'. */
  geo_precision: string;
  show_map: number;
  salary_from: number | null;
  salary_to: number | null;
  /** Salary times the frequency's periods per year, for filters and sorting across frequencies. */
  annual_salary_from: number | null;
  annual_salary_to: number | null;
  /** The title folded for suggestions (search/title-key.ts). */
  title_key: string;
  salary_text: string;
  salary_frequency_id: number;
  salary_currency_id: number;
  apply_type_id: number;
  apply_url: string | null;
  job_category_id: number;
  job_type_id: number;
  language_id: number;
  number_applied: Generated<number>;
  api_client_id: number;
  created_by_user_id: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** Normalised postcodes, one row per country and code, shared by the jobs there. */
export interface PostcodesTable {
  id: Generated<number>;
  country_id: number;
  postcode: string;
}

export interface JobSitesTable {
  job_id: number;
  site_id: number;
}

/** The change feed of jobs (migration 0009): one row per write of a job, filled by triggers. */
export interface JobChangesTable {
  seq: Generated<number>;
  job_id: number;
}

/*
 * A job's logo (the one type of media so far): a stored file, named by its
 * content (storage_key, with its content_type), or a URL the vendor gave.
 * Exactly one of storage_key and url is set.
 */
export interface JobMediaTable {
  id: Generated<number>;
  job_id: number;
  type: 'JOB_LOGO';
  storage_key: string | null;
  url: string | null;
  content_type: string | null;
  created_at: string;
}

/** An event of the transactional outbox (migration 0006). */
export interface EventsTable {
  id: Generated<number>;
  event_id: string;
  organisation_id: number;
  type: string;
  /** JSON: ids and states, never personal data. */
  data: string;
  created_at: string;
  dispatched_at: string | null;
  /** Set for an event meant for one webhook only (a job.expiring due by its own days); null: every subscriber (migration 0008). */
  webhook_id: number | null;
}

export type DeliveryKind = 'webhook' | 'application_post' | 'application_email';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

/** Something to send and retry until it is received (migration 0006). */
export interface DeliveriesTable {
  id: Generated<number>;
  organisation_id: number;
  kind: DeliveryKind;
  event_id: string | null;
  webhook_id: number | null;
  application_id: number | null;
  target: string;
  /** JSON: what the sender needs. */
  payload: string;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: string;
  claimed_until: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export const APPLICATION_STATUSES = ['new', 'reviewed', 'shortlisted', 'interviewing', 'offered', 'hired', 'rejected'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/*
 * An application made through a board (migration 0007). The personal
 * columns are nulled on erasure (erased_at set), the row kept so that the
 * job's counts stay.
 */
export interface ApplicationsTable {
  id: Generated<number>;
  job_id: number;
  site_id: number;
  /** The board client it came through. */
  api_client_id: number;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  /** The e-mail in lower case: one application per e-mail and job (a unique index). */
  email_key: string | null;
  phone: string | null;
  cover_letter: string | null;
  notes: string | null;
  /** The CV's name in the applications' own storage: random, never derived from the bytes. */
  cv_storage_key: string | null;
  cv_filename: string | null;
  cv_content_type: string | null;
  cv_size: number | null;
  source: string | null;
  status: Generated<ApplicationStatus>;
  consented_at: string | null;
  created_at: string;
  updated_at: string;
  erased_at: string | null;
}

/** A job's counts on one site for one UTC day (migration 0007), raised by upserts. */
export interface JobCountersTable {
  job_id: number;
  site_id: number;
  day: string;
  views: Generated<number>;
  apply_clicks: Generated<number>;
  applications: Generated<number>;
}

/** Keys the server makes for itself once and shares between processes (migration 0007). */
export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: string;
}

/** An organisation's subscription to its events (migration 0008). */
export interface WebhooksTable {
  id: Generated<number>;
  organisation_id: number;
  url: string;
  /** JSON array of event types. */
  events: string;
  expiring_days: number;
  /** The signing key is HMAC(WEBHOOK_SIGNING_KEY, salt): the store alone never reveals it. */
  secret_salt: string;
  enabled: number;
  disabled_reason: string | null;
  disabled_at: string | null;
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

export type NoticeKind = 'expiring' | 'expired';

/** A job.expiring or job.expired recorded for a webhook, once per job and close date (migration 0008). */
export interface JobNoticesTable {
  job_id: number;
  kind: NoticeKind;
  close_date: string;
  webhook_id: number;
  created_at: string;
}

/** An Idempotency-Key and the response of the write it came with (migration 0010). */
export interface IdempotencyKeysTable {
  /** Who sent it: the client, and the user a vendor token acts for. */
  principal: string;
  key: string;
  fingerprint: string;
  /** When the attempt holding the key began: one that never answers is taken over after a while. */
  claimed_at: string;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  /** When the write it came with committed (in that write's transaction); null until then, or for a write that failed. */
  committed_at: string | null;
  target_type: string | null;
  target_id: number | null;
  created_at: string;
  expires_at: string;
}

/** One write, as the audit trail keeps it (migration 0012): ids only, append-only. */
export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  source: 'api' | 'operator';
  api_client_id: number | null;
  user_id: number | null;
  organisation_id: number | null;
  action: string;
  target_type: string;
  target_id: number;
  request_id: string | null;
}

export interface Database {
  sites: SitesTable;
  organisations: OrganisationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  api_clients: ApiClientsTable;
  api_client_sites: ApiClientSitesTable;
  access_tokens: AccessTokensTable;
  refresh_tokens: RefreshTokensTable;
  auth_generation: AuthGenerationTable;
  countries: CountriesTable;
  currencies: CurrenciesTable;
  job_types: JobTypesTable;
  job_categories: JobCategoriesTable;
  salary_frequencies: SalaryFrequenciesTable;
  apply_types: HandleLookupTable;
  languages: LanguagesTable;
  postcodes: PostcodesTable;
  jobs: JobsTable;
  job_sites: JobSitesTable;
  job_changes: JobChangesTable;
  job_media: JobMediaTable;
  applications: ApplicationsTable;
  job_counters: JobCountersTable;
  server_secrets: ServerSecretsTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  webhooks: WebhooksTable;
  job_notices: JobNoticesTable;
  idempotency_keys: IdempotencyKeysTable;
  audit_log: AuditLogTable;
}

export type Db = Kysely<Database>;
/** Functions that must run inside a transaction say so by taking this. */
export type Tx = Transaction<Database>;
/** Either a plain connection or a transaction. */
export type Executor = Kysely<Database>;
