/** True for the two kinds of store URL the server opens: `sqlite:<file>` and `postgres://…`. */
export function isStoreUrl(url: string): boolean {
  return /^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(url);
}
