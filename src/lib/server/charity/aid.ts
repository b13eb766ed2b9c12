// written by the aid part of the charity capability
export {};
