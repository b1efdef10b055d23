import { addError, attributeName, isEmailAddress, isHttpUrl } from './rules.ts';
import type { DraftContext } from './field-kinds.ts';
import type { JobDraft, JobFieldName } from './schema.ts';

/*
 * The rules that span fields, listed in the field table's module
 * (CROSS_FIELD_RULES, in the order a 422 names them). Each checks the draft
 * as the request leaves it (on update, over the stored job) and adds its
 * error under the name the client sent the field as.
 */
export type CrossFieldRule = (draft: Partial<JobDraft>, context: DraftContext) => void;

/* A field that failed its own rule, or a look-up, is not checked again. */
const failed = ({ errors, sentAs }: DraftContext, name: JobFieldName) => errors[sentAs[name]] !== undefined || errors[name] !== undefined;

export const closeDateOnOrAfterOpenDate: CrossFieldRule = (draft, context) => {
  const { open_date: openDate, close_date: closeDate } = draft;
  if (openDate && closeDate && closeDate < openDate && !failed(context, 'close_date')) {
    const key = context.sentAs.close_date;
    addError(context.errors, key, `The ${attributeName(key)} must be a date after or equal to open date.`);
  }
};

export const salaryToAtLeastSalaryFrom: CrossFieldRule = (draft, context) => {
  const { salary_from: from, salary_to: to } = draft;
  if (from != null && to != null && to < from && !failed(context, 'salary_to')) {
    addError(context.errors, context.sentAs.salary_to, 'The salary to must be greater than or equal to salary from.');
  }
};

export const coordinatesTogether: CrossFieldRule = (draft, context) => {
  const { location_geo_lat: lat, location_geo_lon: lon } = draft;
  if ((lat == null) === (lon == null) || failed(context, 'location_geo_lat') || failed(context, 'location_geo_lon')) return;
  const missing = lat == null ? 'location_geo_lat' : 'location_geo_lon';
  const present = missing === 'location_geo_lat' ? 'location geo lon' : 'location geo lat';
  addError(context.errors, missing, `The ${attributeName(missing)} field is required when ${present} is present.`);
};

export const logoOrLogoUrl: CrossFieldRule = (_draft, { fields, errors }) => {
  if (fields.logo && fields.logo_url) addError(errors, 'logo_url', 'The logo url field must be missing when logo is present.');
};

/* REDIRECT and SIGNUP_WITHPOST send the applicant to a URL, EMAIL to an address; SIGNUP needs neither. */
export const applyUrlForApplyType: CrossFieldRule = (draft, { catalogue, sentAs, errors }) => {
  const applyType = draft.apply_type === undefined ? undefined : catalogue.applyTypes.get(draft.apply_type);
  const key = sentAs.apply_url;
  const attribute = attributeName(key);
  if (!applyType || errors[key]) return;
  const wantsUrl = applyType.handle === 'REDIRECT' || applyType.handle === 'SIGNUP_WITHPOST';
  const wantsEmail = applyType.handle === 'EMAIL';
  if (!wantsUrl && !wantsEmail) return;
  if (!draft.apply_url) {
    addError(errors, key, `The ${attribute} field is required when apply type is ${applyType.handle}.`);
  } else if (wantsUrl && !isHttpUrl(draft.apply_url)) {
    addError(errors, key, `The ${attribute} format is invalid.`);
  } else if (wantsEmail && !isEmailAddress(draft.apply_url)) {
    addError(errors, key, `The ${attribute} must be a valid email address.`);
  }
};
