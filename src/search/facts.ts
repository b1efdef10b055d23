import { sql } from 'kysely';
import type { Executor } from '../db/types.ts';
import type { FactsListener } from './list-counts.ts';

/*
 * What lists and searches filter, order and count jobs by, kept in memory
 * in columns indexed by job id: Lucene's doc values. Counting a filtered
 * list or a keyword search's matches is then a loop over typed arrays, not
 * a scan of the jobs in SQL, and no count has to be cached and thrown away
 * at each write. Only listed jobs (not deleted) are held; under 60 bytes
 * a job.
 *
 * The store stays the truth. Each process loads the facts once, then reads
 * the change feed (migration 0009) for the ids written since, whenever a
 * write was noted: its own, or another process's that moved the store's
 * change stamp (list-cache.ts). The next list or search brings the facts up
 * to date before it reads them.
 */

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;
}

// Small batches: each is garbage once put, and large ones grew the heap by tens of megabytes for a moment.
const LOAD_BATCH = 5_000;
const REFRESH_BATCH = 500;
/** Past this many changes at once, loading everything again is cheaper than refreshing each. */
const RELOAD_PAST_CHANGES = 20_000;
/**
 * A sequence number not (yet) seen between two that were: on PostgreSQL, a
 * write that took its number earlier and has not committed yet. It is asked
 * for again until it appears or this long has passed (its write rolled back).
 */
const GAP_WAIT_MS = 5_000;
/** More gaps than this means the feed was pruned past what this process had read: load again. */
const MAX_GAPS = 1_000;

/** How many changes the feed keeps: a process further behind loads every fact again. */
export const JOB_CHANGES_KEPT = 100_000;

/** Trims the change feed to its newest rows; the worker calls it with its other pruning. @returns the rows removed */
export async function pruneJobChanges(db: Executor, kept = JOB_CHANGES_KEPT): Promise<number> {
  const removed = await sql`delete from job_changes where seq <= (select max(seq) from job_changes) - ${kept}`.execute(db);
  return Number(removed.numAffectedRows ?? 0);
}

interface FactRow {
  id: number;
  organisation_id: number;
  open_date: string;
  close_date: string;
  country_id: number;
  job_category_id: number;
  job_type_id: number;
  salary_currency_id: number;
  annual_salary_from: number | null;
  annual_salary_to: number | null;
  geo_lat: number;
  geo_lon: number;
}

const FACT_COLUMNS = sql`id, organisation_id, open_date, close_date, country_id, job_category_id, job_type_id,
  salary_currency_id, annual_salary_from, annual_salary_to, geo_lat, geo_lon`;

export class JobFacts {
  /** 1 for a listed job (present, not deleted), 0 otherwise. */
  listed = new Uint8Array(0);
  organisation = new Int32Array(0);
  openDay = new Int32Array(0);
  closeDay = new Int32Array(0);
  /* Lookup ids (the catalogue's, under a thousand) fit 16 bits: half the memory of the rest. */
  country = new Uint16Array(0);
  category = new Uint16Array(0);
  type = new Uint16Array(0);
  currency = new Uint16Array(0);
  /** Annual pay, the top of the range (or its only end); NaN when not stated. */
  annualHigh = new Float64Array(0);
  /** Annual pay, the bottom of the range (or its only end); NaN when not stated. */
  annualLow = new Float64Array(0);
  lat = new Float64Array(0);
  lon = new Float64Array(0);
  /** The job's sites numbered below 32, a bit each; sites from 32 up in `higherSites`. Boards are few, jobs many. */
  siteBits = new Uint32Array(0);
  readonly higherSites = new Map<number, Int32Array>();
  /** The highest id ever held: lists scan down from here. */
  maxId = 0;
  /** The highest country, category, type and currency ids held, for sizing counters. */
  readonly maxKey = { country: 0, category: 0, type: 0, currency: 0 };

  /** How many times the facts changed: what is derived from them is good for one version. */
  version = 0;

  private loaded = false;
  private lastSeq = 0;
  private readonly gaps = new Map<number, number>();
  private wanted = 1;
  private applied = 0;
  private running: Promise<void> | null = null;

  private readonly listeners: FactsListener[] = [];

  constructor(private readonly db: Executor) {}

  /** Tells `listener` of every change from now on (list-counts.ts). */
  listen(listener: FactsListener): void {
    this.listeners.push(listener);
  }

  /** A write to jobs committed (here, or in another process whose change the stamp showed): the next reader catches up first. */
  noteWrite(): void {
    this.wanted += 1;
  }

  /** Brings the facts up to date with every write noted before the call. */
  async current(): Promise<void> {
    if (this.gaps.size > 0) this.wanted += 1;
    while (this.applied < this.wanted) {
      if (this.running) {
        await this.running;
        continue;
      }
      const target = this.wanted;
      this.running = (this.loaded ? this.catchUp() : this.loadAll()).finally(() => {
        this.running = null;
      });
      await this.running;
      this.applied = Math.max(this.applied, target);
    }
  }

  /** A test of whether a job is on any of these sites. */
  onSites(siteIds: readonly number[]): (id: number) => boolean {
    let mask = 0;
    const higher = new Set<number>();
    for (const site of siteIds) {
      if (site < 32) mask |= 1 << site;
      else higher.add(site);
    }
    const { siteBits, higherSites } = this;
    return (id) => {
      if (((siteBits[id] as number) & mask) !== 0) return true;
      if (higher.size === 0) return false;
      const more = higherSites.get(id);
      return more !== undefined && more.some((site) => higher.has(site));
    };
  }

  /** Listed jobs by their status on `today` (a day number): a loop over two columns, for the metrics. */
  countByStatus(today: number): { live: number; scheduled: number; expired: number } {
    const counts = { live: 0, scheduled: 0, expired: 0 };
    const { listed, openDay, closeDay } = this;
    for (let id = this.maxId; id > 0; id -= 1) {
      if (listed[id] !== 1) continue;
      if ((openDay[id] as number) > today) counts.scheduled += 1;
      else if ((closeDay[id] as number) < today) counts.expired += 1;
      else counts.live += 1;
    }
    return counts;
  }

  private async loadAll(): Promise<void> {
    this.clear();
    const newest = await sql<{ seq: number | null }>`select max(seq) as seq from job_changes`.execute(this.db);
    const startSeq = Number(newest.rows[0]?.seq ?? 0);
    await this.noteRecentGaps(startSeq);
    let after = 0;
    for (;;) {
      const rows = await sql<FactRow>`select ${FACT_COLUMNS} from jobs where deleted_at is null and id > ${after}
        order by id limit ${LOAD_BATCH}`.execute(this.db);
      if (rows.rows.length === 0) break;
      const last = Number(rows.rows[rows.rows.length - 1]?.id);
      const sites = await this.readSites(sql`job_sites.job_id > ${after} and job_sites.job_id <= ${last}`);
      this.ensureCapacity(last);
      for (const row of rows.rows) this.put(row);
      this.putSites(sites);
      after = last;
    }
    this.lastSeq = startSeq;
    this.loaded = true;
    this.version += 1;
    for (const listener of this.listeners) listener.reset();
    // Writes committed while loading are read from the feed.
    await this.catchUp();
  }

  /** On PostgreSQL a write may commit after a later one: numbers missing just below the start are waited for. */
  private async noteRecentGaps(startSeq: number): Promise<void> {
    if (startSeq === 0) return;
    const recent = await sql<{ seq: number }>`select seq from job_changes where seq > ${startSeq - 100} order by seq`.execute(this.db);
    const seen = new Set(recent.rows.map((row) => Number(row.seq)));
    const now = Date.now();
    for (let seq = Math.max(1, startSeq - 99); seq < startSeq; seq += 1) if (!seen.has(seq)) this.gaps.set(seq, now);
  }

  private async catchUp(): Promise<void> {
    const gaps = [...this.gaps.keys()];
    const waitedFor = gaps.length > 0 ? sql` or seq in (${sql.join(gaps.map((seq) => sql`${seq}`))})` : sql``;
    const changes = await sql<{ seq: number; job_id: number }>`select seq, job_id from job_changes
      where seq > ${this.lastSeq}${waitedFor} order by seq limit ${RELOAD_PAST_CHANGES + 1}`.execute(this.db);
    if (changes.rows.length > RELOAD_PAST_CHANGES) return this.loadAll();
    const ids = new Set<number>();
    const now = Date.now();
    const readUpTo = this.lastSeq;
    for (const row of changes.rows) {
      const seq = Number(row.seq);
      ids.add(Number(row.job_id));
      if (this.gaps.delete(seq)) continue;
      for (let missing = this.lastSeq + 1; missing < seq && this.gaps.size <= MAX_GAPS; missing += 1) this.gaps.set(missing, now);
      this.lastSeq = Math.max(this.lastSeq, seq);
    }
    if (this.gaps.size > MAX_GAPS || (this.gaps.has(readUpTo + 1) && (await this.prunedPast(readUpTo)))) return this.loadAll();
    for (const [seq, since] of this.gaps) if (now - since > GAP_WAIT_MS) this.gaps.delete(seq);
    await this.refresh([...ids]);
  }

  /** Whether the feed no longer holds the change after `seq`: pruned while this process was behind. */
  private async prunedPast(seq: number): Promise<boolean> {
    const oldest = await sql<{ seq: number | null }>`select min(seq) as seq from job_changes`.execute(this.db);
    return Number(oldest.rows[0]?.seq ?? 0) > seq + 1;
  }

  private async refresh(ids: readonly number[]): Promise<void> {
    if (ids.length > 0) this.version += 1;
    for (let start = 0; start < ids.length; start += REFRESH_BATCH) {
      const batch = ids.slice(start, start + REFRESH_BATCH);
      const list = sql.join(batch.map((id) => sql`${id}`));
      const rows = await sql<FactRow>`select ${FACT_COLUMNS} from jobs where deleted_at is null and id in (${list})`.execute(this.db);
      const sites = await this.readSites(sql`job_sites.job_id in (${list})`);
      // Synchronous from here: no reader sees a job half changed, and listeners hear of it before and after.
      this.ensureCapacity(Math.max(...batch));
      for (const listener of this.listeners) listener.changing(batch);
      for (const id of batch) this.remove(id);
      for (const row of rows.rows) this.put(row);
      this.putSites(sites);
      for (const listener of this.listeners) listener.changed(batch);
    }
  }

  private async readSites(where: ReturnType<typeof sql>): Promise<readonly { job_id: number; site_id: number }[]> {
    const rows = await sql<{ job_id: number; site_id: number }>`select job_id, site_id from job_sites
      where ${where} order by job_id, site_id`.execute(this.db);
    return rows.rows;
  }

  /** Each job's sites, from rows in job and site order. */
  private putSites(rows: readonly { job_id: number; site_id: number }[]): void {
    let id = 0;
    let higher: number[] = [];
    const flush = () => {
      if (id !== 0 && higher.length > 0 && this.listed[id] === 1) this.higherSites.set(id, Int32Array.from(higher));
    };
    for (const row of rows) {
      const jobId = Number(row.job_id);
      if (jobId !== id) {
        flush();
        id = jobId;
        higher = [];
      }
      if (this.listed[jobId] !== 1) continue;
      const site = Number(row.site_id);
      if (site < 32) (this.siteBits[jobId] as number) |= 1 << site;
      else higher.push(site);
    }
    flush();
  }

  private put(row: FactRow): void {
    const id = Number(row.id);
    const from = row.annual_salary_from === null ? null : Number(row.annual_salary_from);
    const to = row.annual_salary_to === null ? null : Number(row.annual_salary_to);
    this.listed[id] = 1;
    this.organisation[id] = Number(row.organisation_id);
    this.openDay[id] = dayNumber(String(row.open_date));
    this.closeDay[id] = dayNumber(String(row.close_date));
    this.country[id] = this.noteKey('country', Number(row.country_id));
    this.category[id] = this.noteKey('category', Number(row.job_category_id));
    this.type[id] = this.noteKey('type', Number(row.job_type_id));
    this.currency[id] = this.noteKey('currency', Number(row.salary_currency_id));
    this.annualHigh[id] = to ?? from ?? Number.NaN;
    this.annualLow[id] = from ?? to ?? Number.NaN;
    this.lat[id] = Number(row.geo_lat);
    this.lon[id] = Number(row.geo_lon);
    this.siteBits[id] = 0;
    this.maxId = Math.max(this.maxId, id);
  }

  private noteKey(field: keyof JobFacts['maxKey'], value: number): number {
    if (value > 0xffff) throw new Error(`a ${field} id past 65,535 (${value}) does not fit the facts' columns`);
    if (value > this.maxKey[field]) this.maxKey[field] = value;
    return value;
  }

  private remove(id: number): void {
    this.listed[id] = 0;
    this.siteBits[id] = 0;
    this.higherSites.delete(id);
  }

  private clear(): void {
    this.listed.fill(0);
    this.higherSites.clear();
    this.gaps.clear();
    this.maxId = 0;
  }

  private ensureCapacity(id: number): void {
    if (id < this.listed.length) return;
    const size = Math.max(id + 1, Math.ceil(this.listed.length * 1.25), 1_024);
    const grow = <T extends Uint8Array | Uint16Array | Int32Array | Uint32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.listed = grow(this.listed, (n) => new Uint8Array(n));
    this.organisation = grow(this.organisation, (n) => new Int32Array(n));
    this.openDay = grow(this.openDay, (n) => new Int32Array(n));
    this.closeDay = grow(this.closeDay, (n) => new Int32Array(n));
    this.country = grow(this.country, (n) => new Uint16Array(n));
    this.category = grow(this.category, (n) => new Uint16Array(n));
    this.type = grow(this.type, (n) => new Uint16Array(n));
    this.currency = grow(this.currency, (n) => new Uint16Array(n));
    this.annualHigh = grow(this.annualHigh, (n) => new Float64Array(n));
    this.annualLow = grow(this.annualLow, (n) => new Float64Array(n));
    this.lat = grow(this.lat, (n) => new Float64Array(n));
    this.lon = grow(this.lon, (n) => new Float64Array(n));
    this.siteBits = grow(this.siteBits, (n) => new Uint32Array(n));
    // Tests made over the old columns would read them still.
    for (const listener of this.listeners) listener.reset();
  }
}
