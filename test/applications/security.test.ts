import { describeSecurityMatrix } from '../support/security-matrix.ts';

let candidates = 0;

describeSecurityMatrix([
  {
    method: 'POST',
    path: '/job/{job}/apply',
    caller: 'board',
    payload: () => ({ first_name: 'Ada', last_name: 'Matrix', email: `ada.matrix.${(candidates += 1)}.${Date.now()}@example.com`, consent: true }),
    answers: 201,
  },
  { method: 'GET', path: '/job/{job}/applications' },
  { method: 'GET', path: '/job/{job}/stats' },
  { method: 'GET', path: '/application/{application}' },
  { method: 'GET', path: '/application/{application}/cv' },
  { method: 'POST', path: '/application/{application}/update', payload: () => ({ status: 'reviewed' }) },
  { method: 'POST', path: '/application/{application}/delete' },
]);
