// written by the needs part of the charity capability
export {};
