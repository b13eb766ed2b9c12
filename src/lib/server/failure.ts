/** A command's expected refusal: a reason the page turns into a message at `field`. */
export type Failure<F extends string = string> = { ok: false; reason: F; field?: string };
