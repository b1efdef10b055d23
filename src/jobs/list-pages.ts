import type { FactsListener } from '../search/list-counts.ts';
import type { RenderedPage } from '../search/list-cache.ts';
import type { PageHit, PageRenderer } from '../search/service.ts';
import { presentJob, type JobResource, type PresentContext } from './presenter.ts';
import type { StoredJob } from './repository.ts';
import { CacheLookups } from '../metrics/cache-lookups.ts';

/**
 * The key of a job's rendering: every input of the presentation but the
 * catalogue, which is the process's own and the same for every caller, so a
 * field added to the context keys the renderings without being named here.
 */
export function presentationKey(context: PresentContext): string {
  const { catalogue: _sameForEveryCaller, ...perRequest } = context;
  return JSON.stringify(perRequest);
}

/*
 * The jobs of list pages, rendered to JSON, kept per job and presentation.
 * Pages of lists and searches share jobs far more than they repeat whole,
 * and reading a job with its organisation, sites and logo and rendering it
 * is most of what a page costs. A job's renderings go whenever the facts
 * read a change to it (the change feed names every change to what a
 * rendered job shows: its row, its logo, its organisation's and sites'
 * names), so a page is never staler than the counts beside it.
 */
export class RenderedJobs implements FactsListener {
  private readonly byJob = new Map<number, Map<string, Buffer>>();
  private bytes = 0;
  /** Moves at each forgetting: a rendering read before it may be of the job as it was, and is not kept. */
  private generation = 0;
  readonly lookups = new CacheLookups();

  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  get(id: number, key: string): Buffer | undefined {
    const renderings = this.byJob.get(id);
    const rendered = this.lookups.record(renderings?.get(key));
    if (renderings && rendered) {
      // Used again: the most recent in the map's order.
      this.byJob.delete(id);
      this.byJob.set(id, renderings);
    }
    return rendered;
  }

  /** What `put` must be given back, taken before the job is read. */
  since(): number {
    return this.generation;
  }

  put(id: number, key: string, rendered: Buffer, since: number): void {
    if (since !== this.generation) return;
    let renderings = this.byJob.get(id);
    if (!renderings) {
      renderings = new Map();
      this.byJob.set(id, renderings);
    }
    this.bytes += rendered.length - (renderings.get(key)?.length ?? 0);
    renderings.set(key, rendered);
    for (const oldest of this.byJob.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.forget(oldest);
    }
  }

  changing(ids: readonly number[]): void {
    this.generation += 1;
    for (const id of ids) this.forget(id);
  }

  changed(ids: readonly number[]): void {
    this.changing(ids);
  }

  reset(): void {
    this.generation += 1;
    this.byJob.clear();
    this.bytes = 0;
  }

  private forget(id: number): void {
    const renderings = this.byJob.get(id);
    if (!renderings) return;
    for (const rendered of renderings.values()) this.bytes -= rendered.length;
    this.byJob.delete(id);
  }
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from('}');

/*
 * A job with its distance is the job's rendering with one more property:
 * distance is the last of the resource's (src/jobs/resource.ts), and a list
 * renders no property after it, so it goes just before the closing brace.
 */
function withDistance(rendered: Buffer, distance: NonNullable<PageHit['distance']>): Buffer[] {
  return [rendered.subarray(0, rendered.length - 1), Buffer.from(`,"distance":${JSON.stringify(distance)}`), CLOSE];
}

/**
 * Renders pages from the jobs kept in `kept`, reading and rendering only
 * those it lacks. `serialize` is the resource's serialiser.
 */
export function keptJobRenderer(
  kept: RenderedJobs,
  context: PresentContext,
  read: (ids: readonly number[]) => Promise<readonly StoredJob[]>,
  serialize: (job: JobResource) => string,
): PageRenderer {
  const key = presentationKey(context);
  return {
    async render(hits: readonly PageHit[]): Promise<RenderedPage> {
      const rendered = new Map<number, Buffer>();
      const missing: number[] = [];
      for (const { id } of hits) {
        const found = kept.get(id, key);
        if (found) rendered.set(id, found);
        else missing.push(id);
      }
      if (missing.length > 0) {
        const since = kept.since();
        for (const stored of await read(missing)) {
          const job = Buffer.from(serialize(presentJob(stored, context)));
          rendered.set(stored.job.id, job);
          kept.put(stored.job.id, key, job, since);
        }
      }
      const parts: Buffer[] = [];
      let count = 0;
      for (const { id, distance } of hits) {
        // A job deleted for good since the page was chosen is left out, as a read would leave it.
        const job = rendered.get(id);
        if (!job) continue;
        if (count > 0) parts.push(COMMA);
        parts.push(...(distance ? withDistance(job, distance) : [job]));
        count += 1;
      }
      // The parts, not a copy: the response is put together once (routes.ts).
      return { data: parts, count };
    },
  };
}
