// written by the offers part of the charity capability
export {};
