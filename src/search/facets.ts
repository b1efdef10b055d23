import { sql, type RawBuilder } from 'kysely';
import { ANNUAL_HIGH } from './expressions.ts';
import type { FacetCounts, WindowJob } from './repository.ts';

/*
 * Each facet once: what the SQL of a search without keywords groups by
 * (repository.ts countFacets), and the key the window of a keyword search
 * counts its jobs by in memory (window.ts facetsOfWindow).
 */

/** Annual pay bands of 10,000 in the job's currency, up to 200,000 and above. */
export const SALARY_BAND_WIDTH = 10_000;
export const SALARY_BAND_CAP = 200_000;

/** A facet counted by one id column. */
export interface IdFacet {
  readonly column: RawBuilder<unknown>;
  readonly keyOf: (job: WindowJob) => number;
}

export const ID_FACETS: Readonly<Record<Exclude<keyof FacetCounts, 'salaryBands'>, IdFacet>> = {
  countries: { column: sql`jobs.country_id`, keyOf: (job) => job.countryId },
  categories: { column: sql`jobs.job_category_id`, keyOf: (job) => job.categoryId },
  types: { column: sql`jobs.job_type_id`, keyOf: (job) => job.typeId },
};

/** The band of an annual pay: its ten thousands, the top band holding everything above the cap. */
export const bandOfPay = (annualHigh: number): number => Math.floor(Math.min(annualHigh, SALARY_BAND_CAP) / SALARY_BAND_WIDTH);

/** The number of bands per currency. */
export const SALARY_BANDS = SALARY_BAND_CAP / SALARY_BAND_WIDTH + 1;

/** The pay band facet, counted per currency, of jobs that state their pay. */
export const SALARY_BAND_FACET = {
  currency: sql`jobs.salary_currency_id`,
  band: sql`floor(case when ${ANNUAL_HIGH} > ${SALARY_BAND_CAP} then ${SALARY_BAND_CAP} else ${ANNUAL_HIGH} end / ${SALARY_BAND_WIDTH})`,
  stated: sql`${ANNUAL_HIGH} is not null`,
  bandOf: (job: WindowJob): number | null => (job.annualHigh === null ? null : bandOfPay(job.annualHigh)),
} as const;
