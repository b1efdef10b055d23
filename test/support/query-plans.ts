import { CompiledQuery } from 'kysely';
import type { Db } from '../../src/db/types.ts';
import type { StoreName } from './stores.ts';

/*
 * The SQL an app sends, as sent, and the plans its store makes of it. The
 * capture wraps the connections the app's Kysely lends out, so every query
 * (plain or in a transaction) is seen without a change to the app.
 */

/** Starts recording the queries `db` runs; `during` returns those one piece of work ran. */
export function captureQueries(db: Db) {
  const executor = db.getExecutor();
  const provide = executor.provideConnection.bind(executor);
  let seen: CompiledQuery[] | null = null;
  executor.provideConnection = (consumer) =>
    provide((connection) =>
      consumer({
        executeQuery: (query) => {
          seen?.push(query);
          return connection.executeQuery(query);
        },
        streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
      }),
    );
  return {
    async during(work: () => Promise<unknown>): Promise<CompiledQuery[]> {
      const queries: CompiledQuery[] = [];
      seen = queries;
      try {
        await work();
      } finally {
        seen = null;
      }
      return queries;
    },
  };
}

/** One step of a plan: SQLite's EXPLAIN QUERY PLAN line, or a PostgreSQL node with what it scans. */
export interface PlanStep {
  readonly detail: string;
  /** PostgreSQL only: the node's type, index and the steps beneath it. */
  readonly nodeType?: string;
  readonly indexName?: string;
  readonly relationName?: string;
  readonly below: readonly PlanStep[];
}

interface PostgresNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Scan Direction'?: string;
  Plans?: PostgresNode[];
}

function postgresStep(node: PostgresNode): PlanStep {
  const below = (node.Plans ?? []).map(postgresStep);
  const on = node['Relation Name'] ? ` on ${node['Relation Name']}` : '';
  const using = node['Index Name'] ? ` using ${node['Index Name']}` : '';
  const backward = node['Scan Direction'] === 'Backward' ? ' Backward' : '';
  return {
    detail: `${node['Node Type']}${backward}${using}${on}`,
    nodeType: node['Node Type'],
    indexName: node['Index Name'],
    relationName: node['Relation Name'],
    below,
  };
}

/** Every step of the plan, depth first. */
export function allSteps(steps: readonly PlanStep[]): PlanStep[] {
  return steps.flatMap((step) => [step, ...allSteps(step.below)]);
}

/** The plan the store makes of a captured query, with the parameters it was sent with. */
export async function explain(db: Db, store: StoreName, query: CompiledQuery): Promise<PlanStep[]> {
  if (store === 'sqlite') {
    const { rows } = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
    return rows.map((row) => ({ detail: row.detail, below: [] }));
  }
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': { Plan: PostgresNode }[] }>(
    CompiledQuery.raw(`explain (format json) ${query.sql}`, [...query.parameters]),
  );
  const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (!plan) throw new Error(`no plan for ${query.sql}`);
  return [postgresStep(plan)];
}

/** A plan as text, one step a line, for assertion messages. */
export function describePlan(steps: readonly PlanStep[], depth = 0): string {
  return steps.map((step) => `${'  '.repeat(depth)}${step.detail}\n${describePlan(step.below, depth + 1)}`).join('');
}
