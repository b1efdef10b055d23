export type { HandleSeed } from './types.ts';
export { countries, type CountrySeed } from './countries.ts';
export { currencies, excludedCurrencyCodes, type CurrencySeed } from './currencies.ts';
export { jobTypes, type JobTypeSeed } from './jobTypes.ts';
export { categories, type CategorySeed } from './categories.ts';
export {
  salaryFrequencies,
  annualMultiplier,
  type SalaryFrequencySeed,
  type SalaryFrequencyHandle,
} from './salaryFrequencies.ts';
export { applyTypes } from './applyTypes.ts';
export { languages, type LanguageSeed } from './languages.ts';
