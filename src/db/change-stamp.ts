/**
 * A value that changes whenever another connection has changed the jobs,
 * for caches that must notice other processes' writes. Each store makes its
 * own (`StoreDialect.changeStamp`).
 */
export interface ChangeStamp {
  read(): Promise<unknown>;
  stop(): Promise<void>;
}

/** The channel the store's triggers notify when jobs change (migration 0004); one per schema. */
export const jobsChangedChannel = (schema: string | undefined) => `jobspace_jobs_${schema ?? 'public'}`;
