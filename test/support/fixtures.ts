/** R1's create example (Appendix A, request 3), field for field. */
export const R1_CREATE_FIELDS: [string, string][] = [
  ['organisation', 'JDT'],
  ['job_category_id', '1'],
  ['job_type_id', '1'],
  ['reference', 'JDT/1234'],
  ['name', 'Job Title'],
  ['description', 'The jobs description'],
  ['benefits', 'Benefits'],
  ['skills', 'Skills'],
  ['open_date', '2017-12-01'],
  ['close_date', '2018-02-01'],
  ['country_id', '229'],
  ['premise', '1 Example Road'],
  ['sub_premise', 'Example Area'],
  ['main_area', 'Sheffield'],
  ['sub_area', 'South Yorkshire'],
  ['postcode', 'S1 4BY'],
  ['location_display', 'Sheffield, South Yorkshire'],
  ['salary_frequency', 'HOURLY'],
  ['salary_currency', 'GBP'],
  ['salary_from', '10'],
  ['salary_to', '10'],
  ['salary_text', 'Competitive'],
  ['apply_type', 'SIGNUP'],
  ['sites[]', '1'],
  ['sites[]', '2'],
];

/** R1's update example (request 4): the same fields with DD-MM-YYYY dates. */
export const R1_UPDATE_FIELDS: [string, string][] = R1_CREATE_FIELDS.map(([key, value]): [string, string] => {
  if (key === 'open_date') return [key, '01-12-2017'];
  if (key === 'close_date') return [key, '01-02-2018'];
  return [key, value];
});

/** A valid JSON job body; override fields per test. */
export function jobJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    organisation: 'JDT',
    job_category: 'ACCOUNTS_MANAGER',
    job_type: 'perm_fulltime',
    reference: `REF-${Math.random().toString(36).slice(2, 10)}`,
    name: 'Senior Accountant',
    description: '<p>Keep the <b>books</b> of a growing firm.</p>',
    open_date: '2026-01-01',
    country: 'GB',
    premise: '1 Example Road',
    main_area: 'Sheffield',
    sub_area: 'South Yorkshire',
    salary_frequency: 'ANNUALLY',
    salary_currency: 'GBP',
    salary_from: 30000,
    salary_to: 40000,
    salary_text: '£30k to £40k',
    apply_type: 'SIGNUP',
    sites: [1],
    ...overrides,
  };
}

export interface FilePart {
  readonly filename: string;
  readonly contentType: string;
  readonly data: Buffer;
}

const BOUNDARY = '----jobspace-boundary-7MA4YWxkTrZu0gW';

/** Builds a multipart body by hand, byte for byte as a raw client would, file parts and all. */
export function multipartBytes(parts: [string, string | FilePart][], boundary = BOUNDARY) {
  const chunks = parts.map(([name, value]) => {
    if (typeof value === 'string') return Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${value.filename}"\r\nContent-Type: ${value.contentType}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head), value.data, Buffer.from('\r\n')]);
  });
  return {
    body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** A multipart body of text fields only, as a string. */
export function multipartBody(fields: [string, string][], boundary = BOUNDARY) {
  const { body, contentType } = multipartBytes(fields, boundary);
  return { body: body.toString('utf8'), contentType };
}

/* Well-known 1×1 images: whole files of each type, not just their signatures. */
export const IMAGES = {
  png: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'),
  jpeg: Buffer.from(
    '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
    'base64',
  ),
  gif: Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'),
  webp: Buffer.from('UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA', 'base64'),
};

/** One of the images with trailing bytes of its own: a file no other test sends. */
let variants = 0;
export const freshImage = (type: keyof typeof IMAGES) => Buffer.concat([IMAGES[type], Buffer.from(`variant ${(variants += 1)}`)]);

/* Named and declared as nothing in particular: the bytes alone say what a file is. */
export const upload = (data: Buffer, filename = 'upload.bin', contentType = 'application/octet-stream'): FilePart => ({
  filename,
  contentType,
  data,
});

/** A job as form fields: arrays as name[] entries, numbers as text. */
export function formFields(job: Record<string, unknown>): [string, string][] {
  return Object.entries(job).flatMap(([key, value]): [string, string][] => {
    if (value === undefined) return [];
    if (Array.isArray(value)) return value.map((item): [string, string] => [`${key}[]`, String(item)]);
    return [[key, String(value)]];
  });
}
