import type { HandleSeed } from './types.ts';

export type SalaryFrequencyHandle =
  | 'HOURLY' | 'DAILY' | 'WEEKLY' | 'FORTNIGHTLY' | '4WEEKLY' | 'MONTHLY' | 'ANNUALLY';

export interface SalaryFrequencySeed extends HandleSeed {
  handle: SalaryFrequencyHandle;
  /** Periods in a year, so salaries quoted per hour, day or month compare as annual sums. */
  perYear: number;
}

/*
 * perYear follows UK payroll conventions: a 40-hour, 5-day week, 52 weeks a
 * year; 13 four-weekly pay periods (not 12) because 52 / 4 = 13.
 */
export const salaryFrequencies: readonly SalaryFrequencySeed[] = [
  { id: 1, handle: 'HOURLY', name: 'Hourly', perYear: 2080 },
  { id: 2, handle: 'DAILY', name: 'Daily', perYear: 260 },
  { id: 3, handle: 'WEEKLY', name: 'Weekly', perYear: 52 },
  { id: 4, handle: 'FORTNIGHTLY', name: 'Fortnightly', perYear: 26 },
  { id: 5, handle: '4WEEKLY', name: 'Every four weeks', perYear: 13 },
  { id: 6, handle: 'MONTHLY', name: 'Monthly', perYear: 12 },
  { id: 7, handle: 'ANNUALLY', name: 'Annually', perYear: 1 },
];

export const annualMultiplier: Readonly<Record<SalaryFrequencyHandle, number>> = Object.freeze(
  Object.fromEntries(salaryFrequencies.map((f) => [f.handle, f.perYear])) as Record<SalaryFrequencyHandle, number>,
);
