import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, useTestApp } from '../support/app.ts';
import { stores } from '../support/stores.ts';
import { jobJson } from '../support/fixtures.ts';
import { CreateJobBody, UpdateJobBody } from '../../src/jobs/schema.ts';

describe('the job field table', () => {
  it('documents every field and alias of the create body, requiring the required ones under any of their names', () => {
    type Documented = { properties: Record<string, unknown>; required: string[]; allOf: { anyOf: { required: string[] }[] }[] };
    const { properties, required, allOf } = CreateJobBody as unknown as Documented;
    assert.deepEqual(required, [
      'organisation', 'reference', 'name', 'description', 'open_date',
      'premise', 'main_area', 'salary_frequency', 'salary_currency', 'salary_text', 'apply_type', 'sites',
    ]);
    // R1's ids or R2's handles: either name satisfies the rule.
    assert.deepEqual(allOf.map((rule) => rule.anyOf.map((option) => option.required[0])), [
      ['job_category_id', 'job_category'], ['job_type_id', 'job_type'], ['country_id', 'country'],
    ]);
    for (const alias of ['job_category', 'job_type', 'country', 'postcode', 'apply_data']) assert.ok(properties[alias], alias);
    // An update keeps what it does not send: nothing is required, and no empty `required` (invalid in OpenAPI 3.0 tools).
    assert.equal((UpdateJobBody as unknown as { required?: string[] }).required, undefined);
  });
});

for (const store of stores) describe(`job fields [${store}]`, () => {
  const suite = useTestApp(store);

  describe('POST /api/job', () => {
    it("answers 422 naming each field's own failures in the table's order, then look-ups, then the rules that span fields in theirs", async () => {
      const response = await suite.test.app.inject({
        method: 'POST',
        url: '/api/job',
        headers: auth(suite.token),
        payload: jobJson({
          job_category: 'NO_SUCH_CATEGORY',
          name: 'x'.repeat(256),
          open_date: '2026-02-01',
          close_date: '2026-01-01',
          location_geo_lat: 53.38,
          salary_from: 10,
          salary_to: 5,
          apply_type: 'EMAIL',
          apply_data: 'not-an-address',
        }),
      });
      assert.equal(response.statusCode, 422);
      const { errors } = response.json().data;
      assert.deepEqual(Object.keys(errors), ['name', 'job_category', 'close_date', 'salary_to', 'location_geo_lon', 'apply_data']);
      assert.deepEqual(errors.job_category, ['The selected job category is invalid.']);
      assert.deepEqual(errors.location_geo_lon, ['The location geo lon field is required when location geo lat is present.']);
      assert.deepEqual(errors.apply_data, ['The apply data must be a valid email address.']);
    });
  });
});
