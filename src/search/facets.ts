/*
 * The pay band facet: annual pay in bands of 10,000 in the job's currency,
 * up to 200,000 and above, counted per currency over jobs that state their
 * pay (fact-scan.ts counts it with the other facets).
 */

export const SALARY_BAND_WIDTH = 10_000;
export const SALARY_BAND_CAP = 200_000;

/** The band of an annual pay (the top of its range): its ten thousands, the top band holding everything above the cap. */
export const bandOfPay = (annualHigh: number): number => Math.floor(Math.min(annualHigh, SALARY_BAND_CAP) / SALARY_BAND_WIDTH);
