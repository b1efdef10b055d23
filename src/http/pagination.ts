import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_NUMBER, MAX_PAGE_SIZE } from './primitives.ts';

/** `page[number]` and `page[size]` as the contract names them. */
export const PageQuery = Type.Object({
  'page[number]': Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_NUMBER, default: 1 })),
  'page[size]': Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
});
export type PageQuery = Static<typeof PageQuery>;

export interface Page {
  readonly number: number;
  readonly size: number;
  readonly offset: number;
}

export function pageFrom(query: PageQuery): Page {
  const number = query['page[number]'] ?? 1;
  const size = query['page[size]'] ?? DEFAULT_PAGE_SIZE;
  return { number, size, offset: (number - 1) * size };
}

export interface Pagination {
  total: number;
  count: number;
  per_page: number;
  current_page: number;
  total_pages: number;
  links: { previous?: string; next?: string };
}

export const PaginationSchema = Type.Object({
  total: Type.Integer(),
  count: Type.Integer(),
  per_page: Type.Integer(),
  current_page: Type.Integer(),
  total_pages: Type.Integer(),
  links: Type.Object({ previous: Type.Optional(Type.String()), next: Type.Optional(Type.String()) }),
});

/** Links keep the caller's other query parameters and change only the page. */
export function paginate(page: Page, total: number, count: number, selfUrl: URL): Pagination {
  const totalPages = Math.max(1, Math.ceil(total / page.size));
  const linkTo = (number: number) => {
    const url = new URL(selfUrl);
    url.searchParams.set('page[number]', String(number));
    url.searchParams.set('page[size]', String(page.size));
    return url.toString();
  };
  const links: Pagination['links'] = {};
  if (page.number > 1) links.previous = linkTo(Math.min(page.number - 1, totalPages));
  if (page.number < totalPages) links.next = linkTo(page.number + 1);
  return { total, count, per_page: page.size, current_page: page.number, total_pages: totalPages, links };
}
