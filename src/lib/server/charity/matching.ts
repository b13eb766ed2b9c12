// written by the matching part of the charity capability
export {};
