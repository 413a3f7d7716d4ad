// The catalog: store-order's products with their price and stock on hand, read
// through this entity (catalog.ts). Stock is changed only by conditional updates
// under the stock lock (stock.ts), never through this entity.
import { defineEntity, p } from '@mikro-orm/core';

export const Product = defineEntity({
  name: 'Product',
  schema: 'shop',
  tableName: 'products',
  properties: {
    productId: p.string().primary(),
    name: p.string(),
    priceAmount: p.integer(),
    currency: p.string(),
    stockOnHand: p.integer(),
  },
});
