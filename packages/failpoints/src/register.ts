/** `node --import @turbulence/failpoints/register`: placeholder, replaced by the rules engine. */
export {};
