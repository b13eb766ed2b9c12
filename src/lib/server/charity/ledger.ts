// written by the ledger part of the charity capability
export {};
