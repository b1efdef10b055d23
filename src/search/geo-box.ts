import { sql, type RawBuilder } from 'kysely';

const KM_PER_DEGREE_LATITUDE = 111.045;

/** A box around a circle on the globe; `west`/`east` absent when every longitude is in (near a pole). */
export interface GeoBox {
  readonly south: number;
  readonly north: number;
  readonly west?: number;
  readonly east?: number;
}

export function boxAround(lat: number, lon: number, radiusKm: number): GeoBox {
  const latDelta = radiusKm / KM_PER_DEGREE_LATITUDE;
  const box = { south: lat - latDelta, north: lat + latDelta };
  const cosLat = Math.cos((Math.max(Math.abs(lat) + latDelta, 0) * Math.PI) / 180);
  if (cosLat <= 0.01 || Math.abs(lat) + latDelta >= 89) return box;
  const lonDelta = radiusKm / (KM_PER_DEGREE_LATITUDE * cosLat);
  return lonDelta < 180 ? { ...box, west: lon - lonDelta, east: lon + lonDelta } : box;
}

/** The box as conditions the (geo_lat, geo_lon) index can range-scan (PostgreSQL's keyword matches near a point). */
export function boxConditions(box: GeoBox): RawBuilder<unknown>[] {
  const conditions = [sql`jobs.geo_lat between ${box.south} and ${box.north}`];
  const { west, east } = box;
  if (west === undefined || east === undefined) return conditions;
  // A box crossing the antimeridian is two ranges.
  if (west < -180) conditions.push(sql`(jobs.geo_lon >= ${west + 360} or jobs.geo_lon <= ${east})`);
  else if (east > 180) conditions.push(sql`(jobs.geo_lon >= ${west} or jobs.geo_lon <= ${east - 360})`);
  else conditions.push(sql`jobs.geo_lon between ${west} and ${east}`);
  return conditions;
}

/** Whether a point is in the box: what a search near a point checks before the exact distance (src/search/fact-scan.ts). */
export function inBox(box: GeoBox, lat: number, lon: number): boolean {
  if (lat < box.south || lat > box.north) return false;
  const { west, east } = box;
  if (west === undefined || east === undefined) return true;
  if (west < -180) return lon >= west + 360 || lon <= east;
  if (east > 180) return lon >= west || lon <= east - 360;
  return lon >= west && lon <= east;
}

/*
 * Grid cells as words. A full-text index that also holds each job's cells
 * (one word per grid size) can intersect "near here" with the keywords
 * inside the index, as search engines index geohashes, instead of checking
 * every keyword match's position. Cells only narrow the candidates; the box
 * and the exact distance still decide.
 */

/** Cell sizes in degrees, coarse to fine; a cell word is `g<level>x<row>y<column>`. */
export const CELL_SIZES = [1, 0.25, 0.0625] as const;

/** More cells than this make a long OR in the query; a coarser grid is used instead. */
const MAX_CELLS = 24;

const row = (lat: number, size: number) => Math.floor((lat + 90) / size);
const column = (lon: number, size: number) => Math.floor((lon + 180) / size);

/** The cell words of a job's point, in SQL, the same on both stores (they end in a digit, so no stemmer touches them). */
export function cellWordsSql(): RawBuilder<string> {
  const words = CELL_SIZES.map(
    (size, level) =>
      sql`${`g${level}x`} || cast(floor((jobs.geo_lat + 90) / ${size}) as integer) || 'y' || cast(floor((jobs.geo_lon + 180) / ${size}) as integer)`,
  );
  return sql<string>`${sql.join(words, sql` || ' ' || `)}`;
}

/** The cell words covering the box at the finest grid with few enough cells, or null when none fits (huge or wrapping boxes). */
export function cellsCovering(box: GeoBox): string[] | null {
  const { west, east } = box;
  if (west === undefined || east === undefined || west < -180 || east > 180) return null;
  for (let level = CELL_SIZES.length - 1; level >= 0; level -= 1) {
    const size = CELL_SIZES[level] as number;
    const rows = row(box.north, size) - row(box.south, size) + 1;
    const columns = column(east, size) - column(west, size) + 1;
    if (rows * columns > MAX_CELLS) continue;
    const words: string[] = [];
    for (let r = row(box.south, size); r <= row(box.north, size); r += 1) {
      for (let c = column(west, size); c <= column(east, size); c += 1) words.push(`g${level}x${r}y${c}`);
    }
    return words;
  }
  return null;
}
