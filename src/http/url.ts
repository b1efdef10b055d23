/** The path with runs of slashes made one (R1's update sample writes `https://host//api/job/{id}/update`); the query is left as it came. */
export function collapseSlashes(url: string): string {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  if (!path.includes('//')) return url;
  return path.replace(/\/{2,}/g, '/') + (query < 0 ? '' : url.slice(query));
}
