import type { ListCache, RenderedPage } from '../search/list-cache.ts';
import type { Listing, PageRenderer, SearchHit } from '../search/service.ts';
import type { JobScope } from '../tenancy/visibility.ts';
import type { PresentContext } from './presenter.ts';

/** Everything a list page's rendering reads besides its jobs: whose list it is, and how jobs are presented to them. */
export interface RenderInputs {
  readonly scope: JobScope;
  readonly context: PresentContext;
}

/**
 * The key of a rendered page: the listing and every input of its rendering.
 * The presentation context goes in whole but for the catalogue, which is the
 * process's own and the same for every caller, so a field added to the
 * context keys the pages without being named here.
 */
export function renderedPageKey(listing: Listing, inputs: RenderInputs): string {
  const { catalogue: _sameForEveryCaller, ...perRequest } = inputs.context;
  return JSON.stringify({ listing, scope: inputs.scope, context: perRequest });
}

/**
 * A renderer whose pages are kept in `pages` (the list caches', cleared by
 * every write) under renderedPageKey. `render` is handed the inputs rather
 * than closing over the request, so what it reads is what the key names.
 */
export function keptPageRenderer(
  pages: ListCache<RenderedPage>,
  inputs: RenderInputs,
  render: (hits: readonly SearchHit[], inputs: RenderInputs) => Buffer,
): PageRenderer {
  return {
    render: (hits) => render(hits, inputs),
    kept: (listing, compute) => pages.get(renderedPageKey(listing, inputs), compute),
  };
}
