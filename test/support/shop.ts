// Checks on the services' own tables for the business-service tests: stock on hand,
// and "this consumer has handled (committed) that message", which lets a test
// assert that something did NOT happen without sleeping on a guess.
import { eventually, sql } from './env.ts';

export async function stockOf(databaseUrl: string, productId: string): Promise<number> {
  const [row] = await sql<{ stock_on_hand: number }>(databaseUrl, 'select stock_on_hand from shop.products where product_id = $1', [productId]);
  if (!row) throw new Error(`no product ${productId}`);
  return row.stock_on_hand;
}

export async function addProduct(databaseUrl: string, productId: string, stock: number, priceAmount = 1000): Promise<void> {
  await sql(databaseUrl, `insert into shop.products (product_id, name, price_amount, currency, stock_on_hand) values ($1, $2, $3, 'EUR', $4)`,
    [productId, `Test product ${productId}`, priceAmount, stock]);
}

/** Resolves once the consumer's transaction for the message has committed (its inbox row exists). */
export async function handled(databaseUrl: string, consumer: string, messageId: string, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => (await sql(databaseUrl, 'select 1 from runtime.inbox where consumer = $1 and message_id = $2', [consumer, messageId])).length === 1,
    `${consumer} to handle ${messageId}`, timeoutMs);
}

/** The events of a type the services wrote for an order (committed, whether or not relayed yet). */
export async function outboxOf(databaseUrl: string, orderId: string, type: string): Promise<{ message_id: string; payload: any }[]> {
  return sql(databaseUrl, 'select message_id, payload from runtime.outbox where correlation_id = $1 and message_type = $2 order by id', [orderId, type]);
}
