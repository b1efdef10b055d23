import type { Executor } from '../db/types.ts';

export function listCountries(db: Executor) {
  return db.selectFrom('countries').selectAll().orderBy('id').execute();
}

export function listCurrencies(db: Executor) {
  return db.selectFrom('currencies').selectAll().orderBy('id').execute();
}

export function listJobTypes(db: Executor) {
  return db.selectFrom('job_types').selectAll().orderBy('id').execute();
}

export function listJobCategories(db: Executor) {
  return db.selectFrom('job_categories').selectAll().orderBy('id').execute();
}

export function listSalaryFrequencies(db: Executor) {
  return db.selectFrom('salary_frequencies').selectAll().orderBy('id').execute();
}

export function listApplyTypes(db: Executor) {
  return db.selectFrom('apply_types').selectAll().orderBy('id').execute();
}

export function listLanguages(db: Executor) {
  return db.selectFrom('languages').selectAll().orderBy('id').execute();
}
