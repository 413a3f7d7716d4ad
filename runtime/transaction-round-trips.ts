// A pg client that saves two round trips per transaction. Every statement MikroORM
// sends is one simple-protocol query (it inlines the parameters), so statements can
// share a message: PostgreSQL runs "begin; insert ..." or "insert ...; commit" as one
// round trip with the meaning of the two sent apart.
//  - BEGIN is held back and sent with the transaction's first statement (as pgjdbc
//    does). A transaction that sends nothing before its commit or rollback costs none.
//  - A statement marked as the transaction's last (`lastStatement`) carries the COMMIT
//    with it; the commit the ORM sends after it is answered here. Should the commit
//    fail, the marked statement fails with its error: its caller sees the transaction
//    fail, as it would have at the commit, and what it holds is rolled back.
// On a 2-core machine shared with the database and the broker, a round trip costs less
// in the query itself than in the wake-ups on both sides: a consumer's transaction
// (begin, inbox, its handler's statement, outbox, commit) goes from five to three.
import type pg from 'pg';
import { AnswerDeadlineClient } from './answer-deadline.ts';

/** Opens a statement that is its transaction's last: the commit travels with it. */
const COMMIT_WITH = '/* last statement: commits */ ';

/** Marks sql as its transaction's last statement: its transaction commits with it, in the same round trip. */
export function lastStatement(sql: string): string {
  return COMMIT_WITH + sql;
}

type QueryResult = pg.QueryResult;

const BEGIN = /^\s*(begin|start transaction)\b/i;
const COMMIT = /^\s*commit\s*$/i;
const ROLLBACK = /^\s*rollback\s*$/i;

function answer(command: string): QueryResult {
  return { command, rowCount: null, oid: 0, rows: [], fields: [] };
}

/** The results of a multi-statement query without the first `head` and the last `tail` ones, shaped as pg shapes them. */
function resultsOf(results: QueryResult | QueryResult[], head: number, tail: number): QueryResult | QueryResult[] {
  const all = Array.isArray(results) ? results : [results];
  const own = all.slice(head, all.length - tail);
  return own.length === 1 ? own[0]! : own;
}

/** Every query it sends goes through AnswerDeadlineClient: the combined ones too. */
export class RoundTripSavingClient extends AnswerDeadlineClient {
  /** The BEGIN (or START TRANSACTION ...) held back for the transaction's first statement. */
  #heldBegin: string | undefined;
  /** The transaction committed with its last statement: the ORM's own COMMIT is answered here. */
  #committed = false;

  // pg's query has many shapes; only the ORM's (text, no values, a promise) is combined.
  override query(...args: any[]): any {
    const [text, values, callback] = args;
    if (typeof text !== 'string' || typeof values === 'function' || callback !== undefined || (Array.isArray(values) && values.length > 0)) {
      this.#sendHeldBegin();
      return (super.query as (...a: any[]) => any)(...args);
    }
    return this.#simple(text);
  }

  async #simple(text: string): Promise<QueryResult | QueryResult[]> {
    if (this.#committed) {
      this.#committed = false;
      if (COMMIT.test(text)) return answer('COMMIT');
      // a rollback after the transaction committed: its last statement's caller failed after it
      if (ROLLBACK.test(text)) return answer('ROLLBACK');
      throw new Error(`a statement after its transaction's last one (the transaction has committed): ${text.slice(0, 120)}`);
    }
    if (BEGIN.test(text) && !text.includes(';')) {
      this.#heldBegin = text;
      return answer('BEGIN');
    }
    const begin = this.#heldBegin;
    this.#heldBegin = undefined;
    if (begin !== undefined && (COMMIT.test(text) || ROLLBACK.test(text))) return answer(COMMIT.test(text) ? 'COMMIT' : 'ROLLBACK');
    const last = text.startsWith(COMMIT_WITH);
    const sql = `${begin !== undefined ? `${begin};\n` : ''}${text}${last ? ';\ncommit' : ''}`;
    if (sql === text) return super.query(text) as Promise<QueryResult | QueryResult[]>;
    const results = await (super.query(sql) as Promise<QueryResult | QueryResult[]>);
    if (last) this.#committed = true;
    return resultsOf(results, begin !== undefined ? 1 : 0, last ? 1 : 0);
  }

  #sendHeldBegin(): void {
    if (this.#heldBegin === undefined) return;
    const begin = this.#heldBegin;
    this.#heldBegin = undefined;
    // queued ahead of the query that follows (pg sends a client's queries in order); BEGIN fails only with the connection, and so would the query
    (super.query(begin) as Promise<unknown>).catch(() => undefined);
  }
}
