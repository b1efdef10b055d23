import type { Random } from './random.ts';

/* The words of fake jobs: titles, descriptions, skills, benefits, addresses, pay. */

export interface Seniority {
  readonly prefix: string;
  /** Pay relative to the plain role. */
  readonly payFactor: number;
}

export const SENIORITIES: readonly (readonly [Seniority, number])[] = [
  [{ prefix: '', payFactor: 1 }, 62],
  [{ prefix: 'Senior', payFactor: 1.3 }, 16],
  [{ prefix: 'Junior', payFactor: 0.8 }, 10],
  [{ prefix: 'Lead', payFactor: 1.4 }, 7],
  [{ prefix: 'Trainee', payFactor: 0.7 }, 5],
];

// A role named "Office Junior" or "Finance Director" already says how senior it is.
const ALREADY_RANKED = /\b(senior|junior|lead|trainee|head|director|chief|principal|graduate|apprentice|manager)\b/i;

export function titleFor(roleName: string, seniority: Seniority): string {
  return seniority.prefix === '' || ALREADY_RANKED.test(roleName) ? roleName : `${seniority.prefix} ${roleName}`;
}

/*
 * Descriptions depend on the role and sector only, so there are a few
 * thousand distinct ones and each one's summary is derived once.
 */
const withArticle = (noun: string) => `${/^[AEIOU]/i.test(noun) ? 'an' : 'a'} ${noun}`;

const DESCRIPTIONS: readonly ((role: string, sector: string) => string)[] = [
  (role, sector) =>
    `<p><strong>${role} wanted</strong> to join our ${sector} team. ` +
    `You will work with colleagues across the business, take ownership of your work from the first day and help us ` +
    `keep our standards high.</p><p>Full training is given, and there is real room to grow with us.</p>`,
  (role, sector) =>
    `<p>An established ${sector.toLowerCase()} employer needs an experienced ${role}. The role suits someone organised and ` +
    `dependable who enjoys solving problems and working to deadlines.</p><ul><li>Friendly, supportive team</li>` +
    `<li>Clear progression</li></ul>`,
  (role, sector) =>
    `<p>Are you ${withArticle(role)} ready for your next step? Our client, a growing name in ${sector}, is expanding and ` +
    `wants people who care about quality and about the customers they serve.</p><p>Apply today to hear more.</p>`,
  (role, sector) =>
    `<p>As ${withArticle(role)} you will be at the heart of a busy ${sector.toLowerCase()} operation, working on varied ` +
    `tasks with a team that values initiative, reliability and good humour.</p>` +
    `<p>Previous experience is welcome but attitude matters most.</p>`,
  (role, sector) =>
    `<h2>${role}</h2><p>This is a great opportunity in ${sector} for someone who wants to make a difference. ` +
    `You will plan and deliver your own work, share what you know, and keep improving how things are done.</p>`,
  (role, sector) =>
    `<p>Join us as ${withArticle(role)}. We are a ${sector.toLowerCase()} business with a strong reputation, and we are ` +
    `hiring because our clients keep coming back. Expect variety, responsibility and colleagues who will back you.</p>`,
];

export function descriptionFor(random: Random, role: string, sector: string): string {
  return random.pick(DESCRIPTIONS)(role, sector);
}

const SKILLS = [
  'Communication', 'Teamwork', 'Microsoft Excel', 'Customer focus', 'Problem solving', 'Prioritising',
  'Attention to detail', 'Leadership', 'Full UK driving licence', 'Sage', 'Xero', 'SQL', 'Python', 'CSCS card',
  'First aid', 'Food hygiene', 'Negotiation', 'CRM systems', 'Project planning', 'Budgeting', 'Reporting',
  'Stakeholder engagement', 'Health and safety', 'Forklift licence', 'Coaching', 'Data analysis', 'Scheduling',
] as const;

const BENEFITS = [
  'Pension', '25 days holiday', 'Hybrid working', 'Free parking', 'Private healthcare', 'Cycle to work scheme',
  'Training budget', 'Company car', 'Bonus scheme', 'Flexible hours', 'Employee discount', 'Life assurance',
] as const;

function someOf(random: Random, items: readonly string[], min: number, max: number): string {
  const chosen = new Set<string>();
  const count = random.integer(min, max);
  while (chosen.size < count) chosen.add(random.pick(items));
  return [...chosen].join(', ');
}

export const skillsFor = (random: Random) => someOf(random, SKILLS, 2, 4);
export const benefitsFor = (random: Random) => someOf(random, BENEFITS, 2, 4);

const STREETS = [
  'High Street', 'Station Road', 'Church Lane', 'Market Place', 'Victoria Road', 'Park Avenue', 'Mill Lane',
  'King Street', 'Queen Street', 'Bridge Street', 'Commercial Road', 'Business Park', 'Castle Street', 'London Road',
] as const;

export const premiseFor = (random: Random) => `${random.integer(1, 250)} ${random.pick(STREETS)}`;

export type PayKind = 'HOURLY' | 'DAILY' | 'ANNUALLY';

export interface Pay {
  readonly frequency: PayKind;
  readonly from: number | null;
  readonly to: number | null;
  readonly text: string;
}

export const PAY_KINDS: readonly (readonly [PayKind | 'NONE', number])[] = [
  ['ANNUALLY', 60],
  ['HOURLY', 20],
  ['DAILY', 8],
  ['NONE', 12],
];

/* The plain role's range, the step amounts are rounded to, and how pay is quoted. */
const PAY_RANGES: Readonly<Record<PayKind, { min: number; max: number; step: number; per: string }>> = {
  HOURLY: { min: 10, max: 40, step: 0.25, per: 'an hour' },
  DAILY: { min: 100, max: 600, step: 25, per: 'a day' },
  ANNUALLY: { min: 18_000, max: 120_000, step: 500, per: 'a year' },
};

// Made once: toLocaleString would build a formatter on every call.
const WHOLE = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const PENCE = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const UNDISCLOSED = ['Competitive', 'Negotiable', 'Depending on experience'] as const;

export function payFor(random: Random, kind: PayKind | 'NONE', payFactor: number, symbol: string): Pay {
  if (kind === 'NONE') return { frequency: 'ANNUALLY', from: null, to: null, text: random.pick(UNDISCLOSED) };
  const { min, max, step, per } = PAY_RANGES[kind];
  const round = (amount: number) => Math.min(max, Math.max(min, Math.round(amount / step) * step));
  // Skewed towards the bottom of the range, as advertised pay is.
  const from = round((min + (max - min) * random.next() ** 1.8) * payFactor);
  const to = random.chance(0.25) ? from : round(from * (1 + 0.05 + random.next() * 0.25));
  const amount = (value: number) => `${symbol}${(Number.isInteger(value) ? WHOLE : PENCE).format(value)}`;
  const text = to === from ? `${amount(from)} ${per}` : `${amount(from)} to ${amount(to)} ${per}`;
  return { frequency: kind, from, to, text };
}
