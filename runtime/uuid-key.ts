// One way to compare a uuid from a message or a request with one read back from
// PostgreSQL: a uuid is the same in capitals (the contract's `format: uuid` accepts
// both), and PostgreSQL compares uuids whatever their case but returns them lower-cased.
// Map keys, Set members and === on such ids go through uuidKey on both sides; what is
// stored or published keeps the id as it came.

/** A uuid as PostgreSQL compares and returns it: lower-cased. */
export const uuidKey = (id: string): string => id.toLowerCase();
