// written by the organizations part of the charity capability
export {};
