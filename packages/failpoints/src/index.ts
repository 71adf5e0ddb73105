/** @turbulence/failpoints: placeholder entry, replaced by the failpoints implementation. */
export {};
