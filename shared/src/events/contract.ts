/** The topic exchange of cross-service events; the routing key is the event type. */
export const EVENTS_EXCHANGE = 'fitnexa.events';
/** Where events end that a consumer kept failing on, with the error in their headers. */
export const EVENTS_DEAD_LETTER_QUEUE = 'fitnexa.events.dlq';

/**
 * Raw SQL inside a Prisma transaction: all the outbox and the processed-events table need, and what
 * every service's generated client offers, whatever its models.
 */
export interface SqlTransaction {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
  $queryRaw<Row = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<Row>;
}

/** A service's Prisma client, as the outbox relay and the event consumer use it. */
export interface TransactionalClient<Tx extends SqlTransaction> {
  $transaction<R>(
    run: (tx: Tx) => Promise<R>,
    options?: { maxWait?: number; timeout?: number },
  ): Promise<R>;
}
