/** A valid webhook body, for the demo organisation unless told otherwise. */
export function webhookBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { organisation: 'JDT', url: 'https://hooks.example.com/jobspace', events: ['job.created', 'job.updated'], ...overrides };
}
