/*
 * Ids are part of the public contract (R1 clients send them), so a new type
 * takes the next id and none is ever renumbered or reused.
 */

export interface JobTypeSeed {
  id: number;
  handle: string;
  name: string;
}

export const jobTypes: readonly JobTypeSeed[] = [
  { id: 1, handle: 'perm_fulltime', name: 'Permanent full-time' },
  { id: 2, handle: 'perm_parttime', name: 'Permanent part-time' },
  { id: 3, handle: 'temp_fulltime', name: 'Temporary full-time' },
  { id: 4, handle: 'temp_parttime', name: 'Temporary part-time' },
  { id: 5, handle: 'contract_fulltime', name: 'Contract full-time' },
  { id: 6, handle: 'contract_parttime', name: 'Contract part-time' },
  { id: 7, handle: 'internship', name: 'Internship' },
  { id: 8, handle: 'apprenticeship', name: 'Apprenticeship' },
  { id: 9, handle: 'graduate', name: 'Graduate' },
  { id: 10, handle: 'volunteer', name: 'Volunteer' },
  { id: 11, handle: 'freelance', name: 'Freelance' },
  { id: 12, handle: 'seasonal', name: 'Seasonal' },
];
