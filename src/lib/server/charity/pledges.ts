// written by the pledges part of the charity capability
export {};
