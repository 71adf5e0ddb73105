/** The turbulence version, recorded in journals and printed by `--version`. */
export const VERSION = '0.1.0';
