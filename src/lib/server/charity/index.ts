// The charity capability: organisations, needs, offers, matching, pledges, funds and the
// public ledger, 互助社 emergency aid. Each part is its own module; this is the API.
export * from './organizations';
export * from './offers';
export * from './needs';
export * from './pledges';
export * from './ledger';
export * from './aid';
export * from './matching';
export * from './funds';
