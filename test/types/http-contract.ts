// Type-level tests, checked by `npm run typecheck` (never executed): the api's route
// handlers are typed by openapi.yaml through generated/http/. Each @ts-expect-error
// must fail to compile, or tsc reports the directive as unused and the check fails.
import type { Operations } from '../../generated/http/operations.ts';
import type { Order } from '../../generated/http/types.ts';
import type { OperationHandler, OperationHandlers } from '../../runtime/http/operations.ts';

declare const order: Order;

// A request's parts come typed: the body as CreateOrderRequest, the header by its lower-case name.
export const createOrder: OperationHandler<Operations['createOrder']> = async ({ body, headers }) => {
  const key: string | undefined = headers['idempotency-key'];
  const quantities: number[] = body.items.map((item) => item.quantity);
  void key; void quantities;
  return { status: 202, headers: { location: '/orders/1' }, body: { orderId: body.customerId, status: 'ACCEPTED' } };
};

// A 202 without its required Location header does not compile.
// @ts-expect-error the 202 of createOrder declares a required Location header
export const createOrderWithoutLocation: OperationHandler<Operations['createOrder']> = async () => ({ status: 202, body: { orderId: '', status: 'ACCEPTED' } });

// Nor does a status the operation does not declare as a success.
// @ts-expect-error getOrder answers 200, not 201
export const getOrderCreated: OperationHandler<Operations['getOrder']> = async () => ({ status: 201, body: order });

// Nor a body that breaks the response schema (an enum value outside OrderStatus).
// @ts-expect-error SHIPPED is not an OrderStatus
export const getOrderShipped: OperationHandler<Operations['getOrder']> = async () => ({ status: 200, body: { ...order, status: 'SHIPPED' } });

// A property the contract does not know is refused in a request part.
export const getOrderByQuery: OperationHandler<Operations['getOrder']> = async ({ params }) => {
  // @ts-expect-error getOrder has no path parameter customerId
  void params.customerId;
  return { status: 200, body: order };
};

// Every operation needs its handler: leaving one out does not compile.
// @ts-expect-error ready is missing
export const missingOne: OperationHandlers<Operations> = {
  createOrder,
  getOrder: async () => ({ status: 200, body: order }),
  listProducts: async () => ({ status: 200, body: { products: [] } }),
  health: async () => ({ status: 200, body: { status: 'ok' } }),
};
