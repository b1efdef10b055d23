import type { HandleSeed } from './types.ts';

/*
 * SIGNUP_WITHPOST differs from SIGNUP in that the application, once made on
 * this site, is also sent to the employer's apply_url; that is why the
 * contract requires a URL for REDIRECT and SIGNUP_WITHPOST alike.
 */
export const applyTypes: readonly HandleSeed[] = [
  { id: 1, handle: 'REDIRECT', name: "Redirect to the employer's site" },
  { id: 2, handle: 'SIGNUP', name: 'Apply on this site' },
  { id: 3, handle: 'SIGNUP_WITHPOST', name: "Apply on this site and send the application to the employer's URL" },
  { id: 4, handle: 'EMAIL', name: 'Apply by email' },
];
