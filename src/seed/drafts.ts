import type { JobDraft } from '../jobs/schema.ts';
import { deriveSummary } from '../jobs/derive.ts';
import { UNFILLED_FIELDS } from '../jobs/draft.ts';
import type { Catalogue } from '../lookups/catalogue.ts';
import * as content from './content.ts';
import { seededRandom, weightedPicker, type Random } from './random.ts';
import { COUNTRY_SHARES, townPicker } from './towns.ts';

/* Fake jobs as drafts, the shape a vendor's request takes once read: what they say, where, for what pay, when. */

/** Whose jobs they are, who posted them, through which client, to which sites. */
export interface SeedTarget {
  readonly organisation: { id: number; handle: string; name: string };
  readonly userId: number;
  readonly apiClientId: number;
  readonly siteIds: number[];
}

/** `${date}` moved by whole days. */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const CURRENCIES: Readonly<Record<string, string>> = { GB: 'GBP', US: 'USD' };
const EURO = 'EUR';

/** Each country's id and currency, looked up once. */
function countryMoney(catalogue: Catalogue): (iso: string) => { countryId: number; currencyId: number; symbol: string } {
  const byIso = new Map(
    COUNTRY_SHARES.map(([iso]) => {
      const country = catalogue.countries.find(iso);
      const currency = catalogue.currencies.find(CURRENCIES[iso] ?? EURO);
      if (!country || !currency) throw new Error(`the catalogue lacks ${iso} or its currency`);
      return [iso, { countryId: country.id, currencyId: currency.id, symbol: currency.symbol }] as const;
    }),
  );
  return (iso) => {
    const found = byIso.get(iso);
    if (!found) throw new Error(`no fake jobs in ${iso}`);
    return found;
  };
}

/** Mostly on the board itself; otherwise the employer's site or an email address. */
function applyMethodPicker(catalogue: Catalogue, organisationHandle: string) {
  const [signup, redirect, email] = ['SIGNUP', 'REDIRECT', 'EMAIL'].map((handle) => lookup(catalogue.applyTypes, handle));
  const host = `${organisationHandle.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`;
  return (random: Random, reference: string): { apply_type: number; apply_url: string | null } => {
    const roll = random.next();
    if (roll < 0.6) return { apply_type: signup as number, apply_url: null };
    if (roll < 0.9) return { apply_type: redirect as number, apply_url: `https://careers.${host}/jobs/${reference}` };
    return { apply_type: email as number, apply_url: `jobs@${host}` };
  };
}

/** Makes the n-th fake job's draft; the same seed makes the same drafts. */
export function fakeJobDrafter(catalogue: Catalogue, target: SeedTarget, seed: number, today: string): (n: number) => JobDraft {
  const random = seededRandom(seed);
  const categories = catalogue.jobCategories;
  // Roles are the leaves: their parent (a sector) has a parent (the root).
  const roles = categories.rows.filter((row) => row.parent_id !== null && categories.get(row.parent_id)?.parent_id != null);
  const pickSeniority = weightedPicker(content.SENIORITIES);
  const pickCountry = weightedPicker(COUNTRY_SHARES);
  const pickTown = townPicker(COUNTRY_SHARES.map(([iso]) => iso));
  const pickPay = weightedPicker(content.PAY_KINDS);
  const pickType = weightedPicker(JOB_TYPE_SHARES.map(([handle, share]) => [lookup(catalogue.jobTypes, handle), share] as const));
  const pickApplyMethod = applyMethodPicker(catalogue, target.organisation.handle);
  const money = countryMoney(catalogue);
  const frequencies = new Map(content.PAY_KINDS.map(([kind]) => [kind, lookup(catalogue.salaryFrequencies, kind === 'NONE' ? 'ANNUALLY' : kind)]));
  // Descriptions repeat (they vary by role and sector only), so each summary is derived once.
  const summaries = new Map<string, string>();
  const summaryOf = (description: string) => {
    let summary = summaries.get(description);
    if (summary === undefined) summaries.set(description, (summary = deriveSummary(description)));
    return summary;
  };

  return (n) => {
    const role = random.pick(roles);
    const seniority = pickSeniority(random);
    const sector = categories.get(role.parent_id as number)?.name ?? role.name;
    const description = content.descriptionFor(random, role.name, sector);
    const countryIso = pickCountry(random);
    const { countryId, currencyId, symbol } = money(countryIso);
    const town = pickTown(countryIso, random);
    const pay = content.payFor(random, pickPay(random), seniority.payFactor, symbol);
    const reference = `FAKE-${seed}-${n}`;
    return {
      ...UNFILLED_FIELDS,
      organisation: target.organisation.id,
      job_category_id: role.id,
      job_type_id: pickType(random),
      reference,
      name: content.titleFor(role.name, seniority),
      summary: summaryOf(description),
      description,
      benefits: random.chance(0.7) ? content.benefitsFor(random) : null,
      skills: random.chance(0.8) ? content.skillsFor(random) : null,
      ...fakeDates(random, today),
      country_id: countryId,
      premise: content.premiseFor(random),
      // The town is geocoded by name, as a vendor's address without coordinates would be.
      main_area: town.name,
      show_map: random.chance(0.9),
      salary_frequency: frequencies.get(pay.frequency) as number,
      salary_currency: currencyId,
      salary_from: pay.from,
      salary_to: pay.to,
      salary_text: pay.text,
      ...pickApplyMethod(random, reference),
      sites: target.siteIds,
    };
  };
}

const JOB_TYPE_SHARES: readonly (readonly [handle: string, share: number])[] = [
  ['perm_fulltime', 55], ['perm_parttime', 12], ['temp_fulltime', 6], ['temp_parttime', 4],
  ['contract_fulltime', 10], ['contract_parttime', 2], ['internship', 2], ['apprenticeship', 3],
  ['graduate', 3], ['volunteer', 1], ['freelance', 1.5], ['seasonal', 0.5],
];

function lookup(table: { find(key: string): { id: number } | undefined }, key: string): number {
  const row = table.find(key);
  if (!row) throw new Error(`the catalogue lacks ${key}`);
  return row.id;
}

/*
 * A year of history and a month ahead, weighted so a board looks lived in:
 * about a quarter live today, most expired, a few scheduled. No close date
 * (the contract's 28 days) for a third of them.
 */
function fakeDates(random: Random, today: string): { open_date: string; close_date: string | null } {
  const roll = random.next();
  const offset = roll < 0.05 ? random.integer(1, 30) : roll < 0.3 ? -random.integer(0, 40) : -random.integer(0, 365);
  const openDate = addDays(today, offset);
  return { open_date: openDate, close_date: random.chance(0.33) ? null : addDays(openDate, random.integer(7, 90)) };
}
