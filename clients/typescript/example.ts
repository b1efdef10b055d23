import { createJobSpaceClient } from './index.js';

const baseUrl = 'http://localhost:8080';

// The token request needs no token; the body is sent as JSON.
const grant = await createJobSpaceClient({ baseUrl }).POST('/oauth/token', {
  body: { grant_type: 'password', client_id: 'CLIENT_ID', client_secret: 'CLIENT_SECRET', username: 'USERNAME', password: 'PASSWORD' },
});
if (!grant.data) throw new Error(JSON.stringify(grant.error)); // RFC 6749 error, or the envelope for 406, 413, 415, 5xx

const api = createJobSpaceClient({ baseUrl, token: grant.data.access_token });

const created = await api.POST('/api/job', {
  body: {
    organisation: 'JDT', job_category: 'ACCOUNTS_MANAGER', job_type: 'perm_fulltime', reference: 'JDT/1234',
    name: 'Senior Accountant', description: '<p>Keep the books.</p>', open_date: '2026-12-01', country: 'GB',
    premise: '1 Example Road', main_area: 'Sheffield', salary_frequency: 'ANNUALLY', salary_currency: 'GBP',
    salary_text: 'Competitive', apply_type: 'SIGNUP', sites: [1],
  },
});
if (created.error) throw new Error(JSON.stringify(created.error.data)); // the envelope: message, status_code, errors on 422

const job = await api.GET('/api/job/{id}', { params: { path: { id: created.data.data.id } } });
console.log(job.data?.data.job_title, job.data?.data.status);

const page = await api.GET('/api/job', { params: { query: { q: 'accountant', 'page[size]': 20 } } });
console.log(page.data?.meta.pagination.total);
